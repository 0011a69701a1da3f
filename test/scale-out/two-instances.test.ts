import { expect } from "chai";
import { io } from "socket.io-client";
import { connectClient, nextEvent, recordEvents, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage, phoneNumbers, throughInstance, type FixtureTarget } from "../support/conversation-fixtures.js";
import { startCluster, type GatewayInstance, type TestCluster } from "../support/start-cluster.js";
import { REDIS_SERVER, requireSystemProgram } from "../support/system-programs.js";

const BASE = "/api/v1/chat/conversations";

describe("two gateway instances sharing one Redis (REDIS_URL)", function () {
  this.timeout(20_000);
  let t: TestCluster;
  let a: GatewayInstance;
  let b: GatewayInstance;
  const clients: ChatClient[] = [];
  /** Conversations are created through instance A; Twilio's webhooks go wherever the balancer sends them. */
  let fixtures: FixtureTarget;
  const nextPhone = phoneNumbers("+1555400");

  const connect = async (instance: GatewayInstance, sub = "agent-1") => {
    const client = await connectClient(instance.baseUrl, { token: t.token(sub) });
    clients.push(client);
    return client;
  };
  /** Unread count as Twilio holds it (the truth, whatever any cache says). */
  const unreadInTwilio = async (sid: string) => {
    const response = await fetch(`${t.emulator.baseUrl}/v1/Conversations/${sid}`, {
      headers: { authorization: `Basic ${Buffer.from(`${t.tenant.accountSid}:${t.tenant.authToken}`).toString("base64")}` },
    });
    return JSON.parse(((await response.json()) as { attributes: string }).attributes).unreadCount as number;
  };
  const unreadThrough = async (instance: GatewayInstance, sid: string) =>
    JSON.parse((await instance.api().get(`${BASE}/${sid}`)).body.attributes).unreadCount as number;

  before(async function () {
    requireSystemProgram(this, REDIS_SERVER);
    this.timeout(30_000);
    t = await startCluster({ RATE_LIMIT_PER_USER_PER_MINUTE: "40" });
    [a, b] = t.instances;
    fixtures = throughInstance(t, a);
  });
  after(async () => {
    await t?.close();
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
    if (t) t.balancer.mode = "round-robin";
  });

  describe("when Twilio's webhook reaches instance A", () => {
    it("emits message:received exactly once to a subscriber on B and once to one on A", async () => {
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      const onA = await connect(a);
      const onB = await connect(b, "agent-2");
      await subscribe(onA, sid);
      await subscribe(onB, sid);
      const eventsA = recordEvents(onA);
      const eventsB = recordEvents(onB);
      t.balancer.mode = 0;
      const before = t.balancer.forwarded[1] ?? 0;

      const arrived = nextEvent(onB, "message:received");
      await inboundMessage(fixtures, { from: phone, body: "Delivered to A", waitForWebhooks: false });
      expect((await arrived).message.body).to.equal("Delivered to A");
      await t.emulator.whenIdle();
      await settle(200);

      expect(t.balancer.forwarded[1] ?? 0, "no webhook went to B").to.equal(before);
      expect(eventsB.of("message:received").map((p) => p.message.body)).to.deep.equal(["Delivered to A"]);
      expect(eventsA.of("message:received").map((p) => p.message.body)).to.deep.equal(["Delivered to A"]);
    });
  });

  describe("when Twilio's webhooks reach instance A and a socket on B chose the batched tenant feed", () => {
    it("B's socket hears A's batch of the conversation's new state (and no per-update event), through Redis", async () => {
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      const batched = await connectClient(b.baseUrl, { token: t.token("agent-2"), conversationFeed: "batched" });
      clients.push(batched);
      const events = recordEvents(batched);
      t.balancer.mode = 0;
      const before = t.balancer.forwarded[1] ?? 0;

      const batch = nextEvent(
        batched,
        "conversations:updated",
        (p) => p.conversations.some((c: any) => c.conversationSid === sid && JSON.parse(c.conversation.attributes).unreadCount === 1),
        10_000,
      );
      await inboundMessage(fixtures, { from: phone, body: "Batched on A, heard on B", waitForWebhooks: false });
      const item = (await batch).conversations.find((c: any) => c.conversationSid === sid);
      expect(item.conversation.latestMessage.body).to.equal("Batched on A, heard on B");
      await t.emulator.whenIdle();
      await settle(600);

      expect(t.balancer.forwarded[1] ?? 0, "no webhook went to B").to.equal(before);
      expect([...new Set(events.received.map((entry) => entry.event))]).to.deep.equal(["conversations:updated"]);
    });
  });

  describe("when a socket dropped from A comes back on B with its session id and offset", () => {
    /** Connects to `instance` as the session `pid` at `offset` would (socket.io-client sends them in the handshake auth). */
    const resume = (instance: GatewayInstance, auth: { token: string; pid: string; offset: string }) =>
      new Promise<{ socket?: ChatClient; error?: Error; packets: Array<{ type: number; data?: unknown }> }>((resolve) => {
        const socket: ChatClient = io(`${instance.baseUrl}/chat`, { auth, transports: ["websocket"], forceNew: true, reconnection: false });
        clients.push(socket);
        const packets: Array<{ type: number; data?: unknown }> = [];
        socket.io.on("packet", (packet) => packets.push(packet));
        socket.once("connect", () => resolve({ socket, packets }));
        socket.once("connect_error", (error) => resolve({ error, packets }));
      });

    it("refuses a garbage token without using up the session, which a valid token of the same user then recovers with the missed event", async () => {
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      const onA = await connect(a);
      await subscribe(onA, sid);
      const first = nextEvent(onA, "message:received");
      await inboundMessage(fixtures, { from: phone, body: "before the drop", waitForWebhooks: false });
      await first;
      const session = onA as unknown as { _pid: string; _lastOffset: string };
      const { _pid: pid, _lastOffset: offset } = session;
      expect(pid, "the server offered session recovery").to.be.a("string");
      onA.io.reconnection(false);
      onA.io.engine.close(); // a network drop: the session is kept in Redis for the recovery window
      await settle(200);
      await inboundMessage(fixtures, { from: phone, body: "sent while you were away" });
      await settle(200);

      const forged = await resume(b, { token: "garbage", pid, offset });
      await settle(200);
      expect(forged.error?.message).to.equal("Authentication error");
      expect(forged.packets.filter((packet) => packet.type === 2 /* EVENT */)).to.deep.equal([]);

      const genuine = await resume(b, { token: t.token("agent-1"), pid, offset });
      expect(genuine.error).to.equal(undefined);
      // (socket.io-client's own `recovered` flag only compares with a pid it held itself: a new client says false.)
      await settle(200);
      const bodies = genuine.packets
        .filter((packet) => packet.type === 2 && Array.isArray(packet.data) && packet.data[0] === "message:received")
        .map((packet) => (packet.data as [string, { message: { body: string } }])[1].message.body);
      expect(bodies, "the session was restored on the other instance, with what it missed").to.deep.equal(["sent while you were away"]);
    });
  });

  describe("when 50 inbound messages to one conversation arrive at once, split over both instances", () => {
    it("counts exactly 50 unread and emits 50 message:received", async () => {
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      const subscriber = await connect(b);
      await subscribe(subscriber, sid);
      const events = recordEvents(subscriber);
      const forwardedBefore = [...t.balancer.forwarded];

      await Promise.all(Array.from({ length: 50 }, (_, i) => inboundMessage(fixtures, { from: phone, body: `burst ${i}`, waitForWebhooks: false })));
      await t.emulator.whenIdle();
      await settle(300);

      expect(await unreadInTwilio(sid)).to.equal(50);
      expect(await unreadThrough(a, sid)).to.equal(50);
      expect(await unreadThrough(b, sid)).to.equal(50);
      const bodies = events.of("message:received").map((p) => p.message.body);
      expect(bodies).to.have.length(50);
      expect(new Set(bodies).size).to.equal(50);
      const split = t.balancer.forwarded.map((count, i) => count - (forwardedBefore[i] ?? 0));
      expect(split[0], "webhooks handled by A").to.be.greaterThan(10);
      expect(split[1], "webhooks handled by B").to.be.greaterThan(10);
    });
  });

  describe("when a webhook is redelivered to the other instance", () => {
    it("applies it once: afterwards (duplicate) and while the first attempt still runs (mirror)", async () => {
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      const subscriber = await connect(a);
      await subscribe(subscriber, sid);
      const events = recordEvents(subscriber);

      // Every webhook goes to A and B at the same time, as a retry racing a slow first attempt would.
      t.balancer.mode = "mirror";
      for (let i = 0; i < 5; i++) await inboundMessage(fixtures, { from: phone, body: `mirrored ${i}`, waitForWebhooks: false });
      await t.emulator.whenIdle();
      t.balancer.mode = "round-robin";
      const { messageSid } = await inboundMessage(fixtures, { from: phone, body: "redelivered later", waitForWebhooks: false });
      await t.emulator.whenIdle();

      // Twilio's retry of the last one, to each instance in turn.
      const original = t.emulator.webhooks.byEvent("onMessageAdded").find((d) => d.params.MessageSid === messageSid)!;
      for (const instance of [a, b]) {
        const response = await fetch(`${instance.baseUrl}${new URL(original.url).pathname}`, {
          method: "POST",
          headers: original.headers,
          body: new URLSearchParams(original.params).toString(),
        });
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ status: "duplicate" });
      }
      await t.emulator.whenIdle();
      await settle(200);

      expect(await unreadInTwilio(sid)).to.equal(6);
      // Each once (webhooks of separate messages may be handled in any order).
      expect(events.of("message:received").map((p) => p.message.body).sort()).to.deep.equal([
        "mirrored 0",
        "mirrored 1",
        "mirrored 2",
        "mirrored 3",
        "mirrored 4",
        "redelivered later",
      ]);
    });
  });

  describe("when A processes a webhook that changes a conversation B has cached", () => {
    it("B's next REST read is fresh (A's cache write is broadcast, B drops its copy) and B's search finds the message", async () => {
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      const search = (q: string) => b.api().get(`/api/v1/conversations/alpha/search?q=${q}`);
      expect(await unreadThrough(b, sid)).to.equal(0); // now cached on B
      expect((await search("zebra")).body.total_count).to.equal(0); // B's search index is built
      t.balancer.mode = 0;
      await inboundMessage(fixtures, { from: phone, body: "Only A hears this zebra webhook", waitForWebhooks: false });
      await t.emulator.whenIdle();
      await settle(100);

      expect(await unreadThrough(b, sid)).to.equal(1);
      const listed = (await b.api().get(`${BASE}?limit=50`)).body.find((c: { sid: string }) => c.sid === sid);
      expect(listed.latestMessage.body).to.equal("Only A hears this zebra webhook");
      expect((await search("zebra")).body.total_count).to.equal(1);
    });
  });

  describe("when Redis restarts", () => {
    it("loses no emit: one made while it was down arrives once it is back, and later ones keep flowing", async () => {
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      const onB = await connect(b);
      await subscribe(onB, sid);
      const events = recordEvents(onB);
      const first = nextEvent(onB, "message:received");
      await inboundMessage(fixtures, { from: phone, body: "before the restart", waitForWebhooks: false });
      const template = (await first).message;
      // Its webhook finishes first: a Redis without persistence forgets which webhooks were done, and Twilio's
      // retry of an interrupted one would run (and emit) again.
      await t.emulator.whenIdle();

      await t.redis.stop();
      await settle(100);
      // An emit on A while Redis is away: the adapter's XADD waits in ioredis' offline queue.
      a.app.events.publish("message.received", {
        tenantId: "alpha",
        conversationSid: sid,
        message: { ...template, sid: "IM" + "0".repeat(32), body: "while Redis was down" },
      });
      await settle(300);
      expect(events.of("message:received").map((p) => p.message.body)).to.deep.equal(["before the restart"]);

      await t.redis.start();
      const late = await nextEvent(onB, "message:received", (p) => p.message.body === "while Redis was down", 10_000);
      expect(late.conversationSid).to.equal(sid);

      const after = nextEvent(onB, "message:received", (p) => p.message.body === "after the restart", 10_000);
      await inboundMessage(fixtures, { from: phone, body: "after the restart", waitForWebhooks: false });
      await after;
      await t.emulator.whenIdle();
      await settle(200);
      expect(events.of("message:received").map((p) => p.message.body)).to.deep.equal([
        "before the restart",
        "while Redis was down",
        "after the restart",
      ]);
    });
  });

  describe("per-user rate limit (40 per minute)", () => {
    it("counts the user's requests on both instances together", async () => {
      const user = "agent-limited";
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await (i % 2 === 0 ? a : b).api(user).get(`${BASE}?limit=1`)).status);
      expect(statuses.every((status) => status === 200), "20 on each instance pass").to.equal(true);

      for (const instance of [a, b]) {
        const refused = await instance.api(user).get(`${BASE}?limit=1`);
        expect(refused.status).to.equal(429);
        expect(Number(refused.headers.get("retry-after"))).to.be.greaterThan(0);
      }
    });
  });
});
