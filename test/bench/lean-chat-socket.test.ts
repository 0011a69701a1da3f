import { expect } from "chai";
import { Server } from "socket.io";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { settle } from "../support/connect-client.js";
import { startApp, type TestApp } from "../support/start-app.js";
import { LeanChatSocket } from "./lean-chat-socket.js";
import { listenOnLoopback, type LoopbackServer } from "./listen-on-loopback.js";

/** Waits (generously: the machine may be loaded) until `count()` reaches `n`. */
async function until(count: () => number, n: number, what: string): Promise<void> {
  for (let waited = 0; count() < n; waited += 20) {
    if (waited > 15_000) throw new Error(`${what}: ${count()} of ${n} within 15 s`);
    await settle(20);
  }
}

describe("the load generator's lean Socket.IO client (test/bench/lean-chat-socket.ts)", function () {
  this.timeout(40_000);

  describe("against a bare socket.io server that pings every 50 ms", () => {
    let loopback: LoopbackServer;
    let io: Server;
    const lean: LeanChatSocket[] = [];
    beforeEach(async () => {
      loopback = await listenOnLoopback();
      // The server closes a session whose pong has not come pingTimeout after its ping.
      io = new Server(loopback.server, { serveClient: false, pingInterval: 50, pingTimeout: 400 });
      io.of("/chat").use((socket, next) => (socket.handshake.auth.token === "let-me-in" ? next() : next(new Error("Authentication error"))));
    });
    afterEach(async () => {
      lean.splice(0).forEach((socket) => socket.close());
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await loopback.close().catch(() => undefined);
    });

    it("connects to /chat with its auth, answers every ping with a pong, and stays connected past many pings", async () => {
      const serverSide = new Promise<import("socket.io").Socket>((resolve) => io.of("/chat").once("connection", resolve));
      const socket = await LeanChatSocket.connect(loopback.baseUrl, { token: "let-me-in", conversationFeed: "none" });
      lean.push(socket);
      const server = await serverSide;
      expect(server.handshake.auth).to.deep.equal({ token: "let-me-in", conversationFeed: "none" });
      let pongs = 0;
      let closed: string | undefined;
      server.conn.on("packet", (packet: { type: string }) => void (packet.type === "pong" && pongs++));
      server.on("disconnect", (reason) => (closed = reason));

      // Ten ping rounds at least: each of them would close the session after 400 ms without its pong.
      await until(() => pongs, 10, "pongs the server received");
      expect(closed).to.equal(undefined);
      expect(socket.connected).to.equal(true);
      expect(socket.pongs).to.be.at.least(10);
    });

    it("hands a listened-to event's payload to its handler, counts every event by name, and gets acks back", async () => {
      io.of("/chat").on("connection", (server) => {
        server.on("subscribe:conversation", (payload: { conversationSid: string }, ack: (reply: unknown) => void) => {
          ack({ data: { conversationSid: payload.conversationSid } });
          // A batch large enough to come in many TCP reads (skipped unread), then the listened-to event right after it.
          server.emit("conversations:updated", { conversations: Array.from({ length: 2000 }, (_, i) => ({ conversationSid: `CH${i}`, body: "é".repeat(50) })) });
          server.emit("message:received", { conversationSid: payload.conversationSid, message: { sid: "IM1", body: "héllo, \"world\"" } });
          server.emit("conversations:updated", { conversations: [] });
        });
      });
      const socket = await LeanChatSocket.connect(loopback.baseUrl, { token: "let-me-in" });
      lean.push(socket);
      const received: unknown[] = [];
      socket.on("message:received", (payload) => received.push(payload));

      expect(await socket.emitWithAck("subscribe:conversation", { conversationSid: "CH1" })).to.deep.equal({ data: { conversationSid: "CH1" } });
      await until(() => socket.eventCounts.get("conversations:updated") ?? 0, 2, "feed events");
      expect(received).to.deep.equal([{ conversationSid: "CH1", message: { sid: "IM1", body: "héllo, \"world\"" } }]);
      expect(Object.fromEntries(socket.eventCounts)).to.deep.equal({ "conversations:updated": 2, "message:received": 1 });
      expect(socket.bytes).to.be.greaterThan(2000 * 100);
    });

    it("rejects with the server's message when the namespace refuses the connection", async () => {
      const refused = await LeanChatSocket.connect(loopback.baseUrl, { token: "wrong" }).then(
        (socket) => (lean.push(socket), undefined),
        (error: Error) => error.message,
      );
      expect(refused).to.equal('lean socket: connect_error {"message":"Authentication error"}');
    });
  });

  describe("against the gateway", () => {
    let t: TestApp;
    beforeEach(async () => (t = await startApp()));
    afterEach(async () => await t.close());

    it("subscribes on the batched feed and receives a customer's message and the tenant's batch", async () => {
      const { sid, phone } = await createConversation(t, { phone: "+15553900001" });
      const socket = await LeanChatSocket.connect(t.baseUrl, { token: t.token(), conversationFeed: "batched" });
      try {
        const received: Array<{ conversationSid: string; message: { body: string } }> = [];
        socket.on("message:received", (payload) => received.push(payload as (typeof received)[number]));
        expect(await socket.emitWithAck("subscribe:conversation", { conversationSid: sid })).to.deep.equal({ data: { conversationSid: sid } });

        await inboundMessage(t, { from: phone, body: "Is my order on its way?" });
        await until(() => received.length, 1, "message:received");
        await until(() => socket.eventCounts.get("conversations:updated") ?? 0, 1, "tenant batches");
        // The subscribed conversation's own update comes on every feed.
        await until(() => socket.eventCounts.get("conversation:updated") ?? 0, 1, "the subscribed conversation's update");
        expect(received.map((p) => [p.conversationSid, p.message.body])).to.deep.equal([[sid, "Is my order on its way?"]]);
      } finally {
        socket.close();
      }
    });

    it("is refused with the gateway's message for a bad token", async () => {
      const refused = await LeanChatSocket.connect(t.baseUrl, { token: "garbage" }).then(
        (socket) => (socket.close(), undefined),
        (error: Error) => error.message,
      );
      expect(refused).to.match(/^lean socket: connect_error \{"message":"Authentication error"/);
    });
  });
});
