import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { connectClient, nextEvent, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

/** Socket.IO pushes messages and previews once a feed is open: each opening is an audit line, never a message's text. */
describe("Socket.IO live feeds in the audit trail", () => {
  let t: TestApp;
  const sockets: Array<Socket | ChatClient> = [];
  const live = () => t.auditRecords.filter((record) => record.action !== "conversation.messages.read");

  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.close());
    await t.close();
  });

  describe("when a /chat socket connects and subscribes to a conversation", () => {
    it("records the tenant feed on connect and the conversation on subscribe, with who and which tenant", async () => {
      const { sid } = await createConversation(t, { phone: "+15553700001" });
      const client = await connectClient(t.baseUrl, { token: t.token({ sub: "agent-audited" }) });
      sockets.push(client);
      await subscribe(client, sid);

      expect(live()).to.deep.equal([
        { action: "conversation.live.tenant", userId: "agent-audited", tenantId: "alpha", surface: "/chat", operation: "connect", conversationSids: [] },
        {
          action: "conversation.live.conversation",
          userId: "agent-audited",
          tenantId: "alpha",
          surface: "/chat",
          operation: "subscribe:conversation",
          conversationSids: [sid],
        },
      ]);
    });
  });

  describe("when a subscription is refused (a conversation of another tenant)", () => {
    it("records no conversation feed", async () => {
      const { sid } = await createConversation(t, { phone: "+15553700002", tenant: "beta" });
      const client = await connectClient(t.baseUrl, { token: t.token() });
      sockets.push(client);
      const ack = await subscribe(client, sid);

      expect(ack).to.have.nested.property("error.code", "not_found");
      expect(live().map((record) => record.action)).to.deep.equal(["conversation.live.tenant"]);
    });
  });

  describe("when a socket is refused at the handshake", () => {
    it("records nothing", async () => {
      for (const namespace of ["/", "/chat", "/api/v1/conversations/alpha/live"]) {
        const socket = io(`${t.baseUrl}${namespace}`, { auth: { token: "forged" }, transports: ["websocket"], forceNew: true, reconnection: false });
        sockets.push(socket);
        await new Promise((resolve) => socket.once("connect_error", resolve));
      }
      expect(live()).to.deep.equal([]);
    });
  });

  describe("when a dropped /chat socket recovers its session", () => {
    it("records the recovery with the conversations it is back in, and no message text anywhere", async () => {
      const phone = "+15553700003";
      const { sid } = await createConversation(t, { phone });
      const client = await connectClient(t.baseUrl, { token: t.token() });
      sockets.push(client);
      await subscribe(client, sid);
      const first = nextEvent(client, "message:received");
      await inboundMessage(t, { from: phone, body: "a private detail", waitForWebhooks: false });
      await first;
      client.io.reconnection(false);
      client.io.engine.close();
      while (t.realtime.io.of("/chat").sockets.size > 0) await settle(10);
      await new Promise<void>((resolve) => {
        client.once("connect", () => resolve());
        client.connect();
      });

      expect(client.recovered).to.equal(true);
      expect(live().at(-1)).to.deep.include({ action: "conversation.live.tenant", operation: "recover", conversationSids: [sid] });
      expect(JSON.stringify(t.auditRecords)).not.to.contain("a private detail");
    });
  });

  describe("when a socket opens the organization's live namespace", () => {
    it("records the tenant feed under that namespace", async () => {
      const socket = io(`${t.baseUrl}/api/v1/conversations/alpha/live`, { auth: { token: t.token() }, transports: ["websocket"], forceNew: true, reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));

      expect(live()).to.deep.equal([
        { action: "conversation.live.tenant", userId: "agent-1", tenantId: "alpha", surface: "/api/v1/conversations/alpha/live", operation: "connect", conversationSids: [] },
      ]);
    });
  });
});
