import { randomBytes } from "node:crypto";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { io, type Socket } from "socket.io-client";
import { connectClient, nextEvent, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, TEST_JWT_SECRET, type TestApp } from "../support/start-app.js";

const EVENT_PACKET = 2;
const randomSid = () => `CH${randomBytes(16).toString("hex")}`;

/** A socket.io-client on any namespace, connected (or rejected with the connect_error) before it resolves. */
function connectTo(t: TestApp, namespace: string, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(`${t.baseUrl}${namespace}`, { auth, transports: ["websocket"], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

const refusalOf = (attempt: Promise<Socket>) =>
  attempt.then(
    (socket) => {
      socket.close();
      return undefined;
    },
    (error: Error & { data?: unknown }) => ({ message: error.message, data: error.data }),
  );

describe("Socket.IO: every namespace checks the token", () => {
  let t: TestApp;
  const sockets: Array<Socket | ChatClient> = [];
  const keep = <S extends Socket | ChatClient>(socket: S) => (sockets.push(socket), socket);
  const chatSockets = () => [...t.realtime.io.of("/chat").sockets.values()];

  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.close());
    await t.close();
  });

  describe("when connecting to the root namespace /", () => {
    it("refuses a missing, invalid or expired token, and puts an accepted socket in its tenant's room", async () => {
      for (const token of [undefined, "not-a-jwt", t.token({ expiresIn: -10 })])
        expect(await refusalOf(connectTo(t, "/", { token })), String(token)).to.have.property("message", "Authentication error");

      const root = keep(await connectTo(t, "/", { token: t.token({ tenants: ["beta"] }) }));
      const [serverSide] = [...t.realtime.io.of("/").sockets.values()];
      expect(serverSide!.id).to.equal(root.id);
      expect([...serverSide!.rooms]).to.have.members([root.id, "tenant:beta"]);
    });
  });

  describe("when a dropped socket comes back with its session id and offset", () => {
    /** A /chat socket of alpha subscribed to a conversation, that has received one event and then dropped. */
    const droppedSubscriber = async (phone: string) => {
      const { sid } = await createConversation(t, { phone });
      const client = keep(await connectClient(t.baseUrl, { token: t.token() }));
      await subscribe(client, sid);
      const first = nextEvent(client, "message:received");
      await inboundMessage(t, { from: phone, body: "before the drop", waitForWebhooks: false });
      await first;
      client.io.reconnection(false);
      client.io.engine.close(); // a network drop: the server keeps the session
      while (chatSockets().length > 0) await settle(10);
      await inboundMessage(t, { from: phone, body: "sent while you were away" });
      // Everything the connection receives from here on, below the client's own buffering.
      const packets: Array<{ type: number; data?: unknown }> = [];
      client.io.on("packet", (packet) => packets.push(packet));
      return { client, packets };
    };
    const reconnect = (client: ChatClient) =>
      new Promise<Error | undefined>((resolve) => {
        client.once("connect", () => resolve(undefined));
        client.once("connect_error", resolve);
        client.connect();
      });

    it("refuses a garbage token, restores nothing and sends none of the missed events", async () => {
      const { client, packets } = await droppedSubscriber("+15553100001");
      client.auth = { token: "garbage" };

      const error = await reconnect(client);
      await settle();

      expect(error?.message).to.equal("Authentication error");
      expect(packets.filter((packet) => packet.type === EVENT_PACKET)).to.deep.equal([]);
      expect(chatSockets()).to.deep.equal([]);
    });

    it("does not restore another tenant's session into a valid token of a different tenant", async () => {
      const { client, packets } = await droppedSubscriber("+15553100002");
      client.auth = { token: t.token({ tenants: ["beta"] }) };

      expect(await reconnect(client)).to.equal(undefined);
      await settle();

      expect(client.recovered).to.equal(false);
      expect(packets.filter((packet) => packet.type === EVENT_PACKET)).to.deep.equal([]);
      const [serverSide] = chatSockets();
      expect([...serverSide!.rooms]).to.have.members([serverSide!.id, "tenant:beta"]);
    });

    it("starts a fresh session, in the batched feed's room, when the same user comes back asking for another tenant feed", async () => {
      const { client, packets } = await droppedSubscriber("+15553100004");
      client.auth = { token: t.token(), conversationFeed: "batched" };

      expect(await reconnect(client)).to.equal(undefined);
      await settle();

      expect(client.recovered).to.equal(false);
      // Nothing replayed. The batched feed's window the missed message's update fell in may end after the socket
      // joined its room (a loaded machine): that batch is live news of the tenant, sent to every member then.
      const replayed = packets.filter((packet) => packet.type === EVENT_PACKET && (packet.data as unknown[])[0] !== "conversations:updated");
      expect(replayed).to.deep.equal([]);
      const [serverSide] = chatSockets();
      expect([...serverSide!.rooms]).to.have.members([serverSide!.id, "tenant:alpha:batched"]);
    });

    it("restores the session of a fresh valid token of the same user, with the missed events", async () => {
      const { client } = await droppedSubscriber("+15553100003");
      client.auth = { token: t.token() };
      const missed = nextEvent(client, "message:received");

      expect(await reconnect(client)).to.equal(undefined);

      expect(client.recovered).to.equal(true);
      expect((await missed).message.body).to.equal("sent while you were away");
    });
  });

  describe("when the token expires while the socket is connected", () => {
    it("sends session:expired, disconnects, and a reconnect with a fresh token gets what it missed", async () => {
      const phone = "+15553200001";
      const { sid } = await createConversation(t, { phone });
      const client = keep(await connectClient(t.baseUrl, { token: t.token({ expiresIn: 2 }) }));
      await subscribe(client, sid);
      const expired = nextEvent(client, "session:expired", () => true, 4000);
      const disconnected = new Promise<string>((resolve) => client.once("disconnect", resolve));

      expect(await expired).to.deep.include({ code: "token_expired" });
      expect(await disconnected).to.equal("io server disconnect");
      expect(chatSockets()).to.deep.equal([]);

      await inboundMessage(t, { from: phone, body: "while the token was renewed" });
      client.auth = (send: (auth: object) => void) => send({ token: t.token() });
      const missed = nextEvent(client, "message:received");
      client.connect();
      expect((await missed).message.body).to.equal("while the token was renewed");
      expect(client.recovered).to.equal(true);
    });

    it("refuses a client event that arrives after exp before the timer fired, with token_expired", async () => {
      const client = keep(await connectClient(t.baseUrl, { token: t.token() }));
      const [serverSide] = chatSockets();
      serverSide!.data.expiresAtMs = Date.now() - 1; // the token ran out; its timer is still an hour away
      const expired = nextEvent(client, "session:expired");

      const ack = await subscribe(client, randomSid());

      expect(ack).to.deep.equal({ error: { code: "token_expired", message: "the token has expired" } });
      expect(await expired).to.deep.include({ code: "token_expired" });
      await settle();
      expect(client.connected).to.equal(false);
      expect(t.upstreamCalls).to.deep.equal([]);
    });

    it("keeps a socket whose token expires beyond setTimeout's 24.8-day limit", async () => {
      // Token lifetimes are not capped here (JWT_MAX_LIFETIME_SECONDS, where the gateway has it, is 0: no limit).
      const longLived = await startApp({ env: { JWT_MAX_LIFETIME_SECONDS: "0" } });
      const clients: ChatClient[] = [];
      try {
        clients.push(await connectClient(longLived.baseUrl, { token: longLived.token({ expiresIn: 30 * 24 * 3600 }) }));
        const farFuture = jwt.sign({ tenants: ["alpha"], sub: "agent-1", exp: 1e308 }, TEST_JWT_SECRET, { algorithm: "HS256" });
        clients.push(await connectClient(longLived.baseUrl, { token: farFuture }));
        await settle(200);
        expect(clients.map((client) => client.connected)).to.deep.equal([true, true]);
      } finally {
        clients.forEach((client) => client.close());
        await longLived.close();
      }
    });

    it("does the same on an organization's live namespace", async () => {
      const live = keep(await connectTo(t, "/api/v1/conversations/alpha/live", { token: t.token({ expiresIn: 2 }) }));
      const expired = new Promise((resolve) => live.once("session:expired", resolve));
      const disconnected = new Promise((resolve) => live.once("disconnect", resolve));
      expect(await expired).to.deep.include({ code: "token_expired" });
      expect(await disconnected).to.equal("io server disconnect");
    });
  });

  describe("when one user sends more client events than RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE", () => {
    it("answers the acks beyond the limit rate_limited and drops typing, across the user's sockets", async () => {
      const limited = await startApp({ env: { RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE: "10" } });
      const clients: ChatClient[] = [];
      try {
        const { sid } = await createConversation(limited, { phone: "+15553300001" });
        const typist = await connectClient(limited.baseUrl, { token: limited.token({ sub: "agent-typist" }) });
        const sameUser = await connectClient(limited.baseUrl, { token: limited.token({ sub: "agent-typist" }) });
        const listener = await connectClient(limited.baseUrl, { token: limited.token({ sub: "agent-listener" }) });
        clients.push(typist, sameUser, listener);
        expect((await subscribe(listener, sid)).data).to.deep.equal({ conversationSid: sid });
        expect((await subscribe(typist, sid)).data).to.deep.equal({ conversationSid: sid }); // 1
        const relayed: unknown[] = [];
        listener.on("typing:start", (payload) => relayed.push(payload));

        for (let i = 0; i < 12; i++) typist.emit("typing:start", { conversationSid: sid }); // 2–10 pass, then dropped
        await settle();
        const over = await subscribe(sameUser, sid); // the user's 14th event, on another socket
        await settle();

        expect(relayed).to.have.length(9);
        expect(over.error).to.include({ code: "rate_limited" });
        expect(over.error.retryAfterSeconds).to.be.within(1, 60);
        expect((await subscribe(listener, sid)).data, "another user is not limited").to.deep.equal({ conversationSid: sid });
      } finally {
        clients.forEach((client) => client.close());
        await limited.close();
      }
    });
  });

  describe("when a socket subscribes to SIDs the tenant does not have", () => {
    it("answers not_found from a complete conversation index, without reading Twilio", async () => {
      const { sid } = await createConversation(t, { phone: "+15553400001" });
      expect((await t.api().get("/api/v1/chat/conversations")).status).to.equal(200); // the index is loaded
      const client = keep(await connectClient(t.baseUrl, { token: t.token() }));
      const requestsBefore = t.emulator.requests.count();

      const acks = await Promise.all(Array.from({ length: 200 }, () => subscribe(client, randomSid())));

      expect(new Set(acks.map((ack) => ack.error?.code))).to.deep.equal(new Set(["not_found"]));
      expect(await subscribe(client, sid)).to.deep.equal({ data: { conversationSid: sid } });
      expect(t.emulator.requests.count() - requestsBefore).to.equal(0);
    });

    it("reads Twilio once per unknown SID when the index is incomplete, then remembers the answer", async () => {
      const partial = await startApp({ env: { CONVERSATION_INDEX_LIMIT: "1" } });
      let client: ChatClient | undefined;
      try {
        await createConversation(partial, { phone: "+15553400002" });
        await createConversation(partial, { phone: "+15553400003" });
        partial.app.cache.clear();
        await partial.api().get("/api/v1/chat/conversations"); // lists one of the two: the index is not complete
        client = await connectClient(partial.baseUrl, { token: partial.token() });
        const unknown = [randomSid(), randomSid(), randomSid()];
        const requestsBefore = partial.emulator.requests.count();

        for (let round = 0; round < 20; round++)
          for (const ack of await Promise.all(unknown.map((sid) => subscribe(client!, sid)))) expect(ack.error.code).to.equal("not_found");

        expect(partial.emulator.requests.count() - requestsBefore).to.equal(unknown.length);
      } finally {
        client?.close();
        await partial.close();
      }
    });
  });
});
