import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { toEntry } from "../../src/inbox/conversation-directory.js";
import { connectClient, nextEvent, recordEvents, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

describe("Socket.IO /chat", () => {
  let t: TestApp;
  const clients: ChatClient[] = [];
  const connect = async (tenant: "alpha" | "beta" = "alpha", sub = "agent-1") => {
    const client = await connectClient(t.baseUrl, { token: t.token({ tenants: [tenant], sub }) });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await t.close();
  });

  describe("when connecting", () => {
    it("refuses a missing or invalid token with 'Authentication error'", async () => {
      for (const token of [undefined, "not-a-jwt", t.token({ expiresIn: -10 })]) {
        const error = await connectClient(t.baseUrl, { token }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.equal("Authentication error");
      }
    });

    it("refuses a tenant the token does not grant", async () => {
      const error = await connectClient(t.baseUrl, { token: t.token({ tenants: ["alpha"] }), tenantId: "beta" }).catch((e: Error & { data?: any }) => e);
      expect((error as Error).message).to.equal("Authentication error");
      expect((error as any).data).to.deep.equal({ code: "forbidden" });
    });
  });

  describe("subscribe:conversation", () => {
    it("acks { data } for the tenant's conversation and { error } for another tenant's or a malformed SID", async () => {
      const { sid: own } = await createConversation(t, { phone: "+15553000001" });
      const { sid: foreign } = await createConversation(t, { phone: "+15553000002", tenant: "beta" });
      const client = await connect();
      expect(await subscribe(client, own)).to.deep.equal({ data: { conversationSid: own } });
      expect((await subscribe(client, foreign)).error.code).to.equal("not_found");
      expect((await subscribe(client, "CH-bogus")).error.code).to.equal("validation_failed");
    });
  });

  describe("when a customer's SMS reaches Twilio", () => {
    it("emits message:received to subscribers and conversation:updated (unread +1) tenant-wide", async () => {
      const { sid } = await createConversation(t, { phone: "+15553000011" });
      const subscriber = await connect();
      const bystander = await connect("alpha", "agent-2");
      const otherTenant = await connect("beta", "agent-9");
      const bystanderEvents = recordEvents(bystander);
      const otherEvents = recordEvents(otherTenant);
      await subscribe(subscriber, sid);

      const received = nextEvent(subscriber, "message:received");
      const updated = nextEvent(bystander, "conversation:updated", (p) => JSON.parse(p.conversation.attributes).unreadCount === 1);
      await inboundMessage(t, { from: "+15553000011", body: "Where is my parcel?", waitForWebhooks: false });

      const message = await received;
      expect(message.conversationSid).to.equal(sid);
      expect(message.message).to.include({ body: "Where is my parcel?", author: "+15553000011", conversationSid: sid });
      expect(message.message.sid).to.match(/^IM/);
      const update = await updated;
      expect(update.conversation.latestMessage.body).to.equal("Where is my parcel?");
      await settle();
      expect(bystanderEvents.of("message:received")).to.deep.equal([]);
      expect(otherEvents.received).to.deep.equal([]);
    });
  });

  describe("when one conversation changes many times within the update interval", () => {
    it("sends the tenant its first and its newest state, not every one", async () => {
      const { sid: real } = await createConversation(t, { phone: "+15553000051" });
      const view = (await t.api().get(`${BASE}/${real}`)).body;
      // A SID no webhook will ever name: only the changes published here reach the sockets for it.
      const sid = `CH${randomBytes(16).toString("hex")}`;
      const bystander = await connect("alpha", "agent-2");
      const bystanderEvents = recordEvents(bystander);
      for (let unreadCount = 1; unreadCount <= 10; unreadCount++) {
        const conversation = { ...view, sid, attributes: JSON.stringify({ ...JSON.parse(view.attributes), unreadCount }) };
        t.app.events.publish("conversation.updated", { tenantId: "alpha", conversationSid: sid, entry: toEntry(conversation), conversation });
      }

      await settle(t.config.conversationUpdateIntervalMs + 150);
      const unread = bystanderEvents
        .of("conversation:updated")
        .filter((p) => p.conversationSid === sid)
        .map((p) => JSON.parse(p.conversation.attributes).unreadCount);
      // Without coalescing, all ten would reach every socket of the tenant.
      expect(unread).to.deep.equal([1, 10]);
    });
  });

  describe("when an agent sends a message through REST", () => {
    it("emits message:sent (from Twilio's webhook), then delivery:receipt as Twilio reports progress", async () => {
      const { sid } = await createConversation(t, { phone: "+15553000021" });
      const client = await connect();
      await subscribe(client, sid);
      const sent = nextEvent(client, "message:sent");
      const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "On its way" });
      expect(response.status).to.equal(201);
      expect((await sent).message).to.include({ sid: response.body.sid, body: "On its way", author: "agent-1" });

      for (const status of ["sent", "delivered", "read"] as const) {
        const receipt = nextEvent(client, "delivery:receipt", (p) => p.receipt.status === status);
        await t.emulator.simulateDelivery({ accountSid: t.tenants.alpha.accountSid, conversationSid: sid, messageSid: response.body.sid, status });
        expect((await receipt).receipt).to.include({ messageSid: response.body.sid, status, channel: "SMS" });
      }
      await t.emulator.whenIdle();
      t.app.cache.clear();
      const [stored] = (await t.api().get(`${BASE}/${sid}/messages`)).body;
      expect(JSON.parse(stored.attributes)).to.include({ status: "read", direction: "outbound" });
    });

    it("reports a failed delivery with Twilio's error code", async () => {
      const { sid } = await createConversation(t, { phone: "+15553000022" });
      const client = await connect();
      await subscribe(client, sid);
      const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "Hello?" });
      const receipt = nextEvent(client, "delivery:receipt", (p) => p.receipt.status === "failed");
      await t.emulator.simulateDelivery({ accountSid: t.tenants.alpha.accountSid, conversationSid: sid, messageSid: response.body.sid, status: "failed", errorCode: 30006 });
      expect((await receipt).receipt).to.include({ status: "failed", errorCode: 30006 });
    });
  });

  describe("when PATCH marks a conversation starred and read", () => {
    it("emits conversation:updated driven by Twilio's onConversationUpdated", async () => {
      const { sid } = await createConversation(t, { phone: "+15553000031" });
      const client = await connect();
      const updated = nextEvent(client, "conversation:updated", (p) => JSON.parse(p.conversation.attributes).isStarred === true);
      await t.api().patch(`${BASE}/${sid}/attributes`, { isStarred: true, unreadCount: 0 });
      const payload = await updated;
      expect(payload.conversationSid).to.equal(sid);
      expect(JSON.parse(payload.conversation.attributes)).to.include({ isStarred: true, unreadCount: 0 });
    });
  });

  describe("typing indicators", () => {
    it("relays typing:start/stop to the other subscribers only, never back to the sender or to non-subscribers", async () => {
      const { sid } = await createConversation(t, { phone: "+15553000041" });
      const typist = await connect("alpha", "agent-typist");
      const listener = await connect("alpha", "agent-listener");
      const outsider = await connect("alpha", "agent-outsider");
      await subscribe(typist, sid);
      await subscribe(listener, sid);
      const typistEvents = recordEvents(typist);
      const outsiderEvents = recordEvents(outsider);
      const start = nextEvent(listener, "typing:start");
      typist.emit("typing:start", { conversationSid: sid });
      expect(await start).to.deep.equal({ conversationSid: sid, userId: "agent-typist" });
      const stop = nextEvent(listener, "typing:stop");
      typist.emit("typing:stop", { conversationSid: sid });
      expect(await stop).to.deep.equal({ conversationSid: sid, userId: "agent-typist" });
      outsider.emit("typing:start", { conversationSid: sid }); // not subscribed: not relayed
      await settle();
      expect(typistEvents.besidesConversationUpdates()).to.deep.equal([]);
      expect(outsiderEvents.besidesConversationUpdates()).to.deep.equal([]);
    });
  });

  describe("when 50 customer messages reach one conversation at once", () => {
    it("counts exactly 50 unread and emits 50 message:received", async () => {
      const { sid } = await createConversation(t, { phone: "+15553000051" });
      const client = await connect();
      await subscribe(client, sid);
      const events = recordEvents(client);
      await Promise.all(Array.from({ length: 50 }, (_, i) => inboundMessage(t, { from: "+15553000051", body: `message ${i}`, waitForWebhooks: false })));
      await t.emulator.whenIdle();
      await settle(200);
      expect(events.of("message:received")).to.have.length(50);
      t.app.cache.clear();
      const conversation = await t.api().get(`${BASE}/${sid}`);
      expect(JSON.parse(conversation.body.attributes).unreadCount).to.equal(50);
      expect(conversation.body.latestMessage.index).to.equal(49);
    });
  });

  describe("when a client drops for a moment", () => {
    it("gets the events it missed on reconnect (connection state recovery)", async () => {
      const { sid } = await createConversation(t, { phone: "+15553000061" });
      const client = await connect();
      await subscribe(client, sid);
      const serverSide = () => [...t.realtime.io.of("/chat").sockets.values()];
      expect(serverSide()).to.have.length(1);
      // The client has been receiving events (recovery resumes from the offset of the last one it got).
      const first = nextEvent(client, "message:received");
      await inboundMessage(t, { from: "+15553000061", body: "before the drop", waitForWebhooks: false });
      await first;
      const reconnected = new Promise<void>((resolve) => client.io.once("reconnect", () => resolve()));
      const missed = nextEvent(client, "message:received", () => true, 5000);
      client.io.engine.close(); // a network drop, not a clean disconnect
      while (serverSide().length > 0) await settle(10);
      await inboundMessage(t, { from: "+15553000061", body: "sent while you were away" });
      await reconnected;
      expect(client.recovered).to.equal(true);
      expect((await missed).message.body).to.equal("sent while you were away");
    });
  });
});
