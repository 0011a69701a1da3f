import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { inboundMessage } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";
import { nextEvent } from "../../support/connect-client.js";

/** A socket.io-client on the default namespace, as the business API's frontend opens it. */
function connectRoot(baseUrl: string, token: string): Promise<Socket> {
  const socket = io(baseUrl, { auth: { token }, transports: ["websocket"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}


const CUSTOMER = "+15557000001";

describe("business API: /api/messages and /api/conversations", () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.close());
    await t.close();
  });

  describe("POST /api/messages", () => {
    it("sends text to a new number in a conversation it opens, and the next send to that number uses the same one", async () => {
      const first = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "Hello from API!" } });
      expect(first.status, first.text).to.equal(201);
      expect(first.body.success).to.equal(true);
      expect(first.body.data).to.include({ direction: "OUTBOUND", type: "TEXT", status: "SENT", from: "+15005550001", to: CUSTOMER, channel: "SMS" });
      expect(first.body.data.content).to.deep.equal({ text: "Hello from API!" });
      const second = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "Again" } });
      expect(second.body.data.conversationId).to.equal(first.body.data.conversationId);
      const conversations = await t.api().get("/api/conversations");
      expect(conversations.body.data.pagination).to.deep.equal({ page: 1, limit: 50, total: 1, totalPages: 1 });
      expect(conversations.body.data.conversations[0]).to.include({ id: first.body.data.conversationId, phoneNumber: CUSTOMER, status: "OPEN", channel: "SMS" });
    });

    it("refuses free-form text to a new WhatsApp number with 409 in the envelope, and opens no conversation for it", async () => {
      const refused = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", content: { text: "hi" } });
      expect(refused.status).to.equal(409);
      expect(refused.body).to.include({ success: false });
      expect(refused.body.message).to.match(/24 hours/);
      expect((await t.api().get("/api/conversations")).body.data.pagination.total).to.equal(0);
    });

    it("refuses a number that is not E.164 and a text without text, naming the field, before any upstream call", async () => {
      const before = t.upstreamCalls.length;
      const bad = await t.api().post("/api/messages", { to: "0044 7700", type: "text", content: { text: "x" } });
      expect(bad.status).to.equal(400);
      expect(bad.body.error).to.match(/to/);
      const empty = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: {} });
      expect(empty.status).to.equal(400);
      expect(empty.body.error).to.match(/content\/text/);
      expect(t.upstreamCalls.length).to.equal(before);
    });
  });

  describe("when the customer answers", () => {
    it("lands in the same conversation, reaches the socket on / as message:new, and the list filters and counts it", async () => {
      const sent = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "Your order shipped" } });
      const conversationId = sent.body.data.conversationId;
      const socket = await connectRoot(t.baseUrl, t.token({ tenants: ["alpha"] }));
      sockets.push(socket);
      const heard = nextEvent(socket, "message:new", (message) => message.direction === "INBOUND");
      await inboundMessage(t, { from: CUSTOMER, body: "Thanks!" });
      const message = await heard;
      expect(message).to.include({ conversationId, direction: "INBOUND", type: "TEXT", from: CUSTOMER, to: "+15005550001", status: "DELIVERED" });
      expect(message.content).to.deep.equal({ text: "Thanks!" });

      const all = await t.api().get("/api/messages?page=1&limit=1");
      expect(all.body.data.pagination).to.deep.equal({ page: 1, limit: 1, total: 2, totalPages: 2 });
      expect(all.body.data.messages[0].content.text, "newest first").to.equal("Thanks!");
      const inbound = await t.api().get(`/api/messages?direction=INBOUND&conversationId=${conversationId}`);
      expect(inbound.body.data.messages.map((m: any) => m.content.text)).to.deep.equal(["Thanks!"]);
      const one = await t.api().get(`/api/messages/${message.id}`);
      expect(one.status).to.equal(200);
      expect(one.body.data).to.deep.include({ id: message.id, direction: "INBOUND" });
      const audit = t.auditRecords.find((record) => record.operation === "listBusinessMessages");
      expect(audit, "the list of messages is audited").to.include({ tenantId: "alpha" });
    });
  });

  describe("PATCH /api/conversations/{id}", () => {
    it("closes as the inbox's resolved status (Twilio's conversation stays active), tags, and the next message lands in it", async () => {
      const sent = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "Hi" } });
      const id = sent.body.data.conversationId;
      const closed = await t.api().patch(`/api/conversations/${id}`, { status: "CLOSED", tags: ["support", "urgent", "support"] });
      expect(closed.status, closed.text).to.equal(200);
      expect(closed.body.data).to.deep.include({ status: "CLOSED", tags: ["support", "urgent"] });
      const twilio = await t.app.tenants.get("alpha").gateway.fetchConversation(id);
      expect(twilio.state, "never Twilio's terminal closed").to.equal("active");
      expect((await t.api().get("/api/conversations?status=CLOSED")).body.data.conversations.map((c: any) => c.id)).to.deep.equal([id]);
      expect((await t.api().get("/api/conversations?status=OPEN")).body.data.conversations).to.deep.equal([]);
      // The organization inbox shows the same status.
      const org = await t.api().get("/api/v1/conversations/alpha");
      expect(org.body.conversations[0].status).to.equal("resolved");
      await inboundMessage(t, { from: CUSTOMER, body: "one more thing" });
      const detail = await t.api().get(`/api/conversations/${id}`);
      expect(detail.body.data.messages.map((m: any) => m.content.text)).to.deep.equal(["Hi", "one more thing"]);
    });

    it("assigns to a user of the tenant and filters assignedTo=me; another id is refused with 400 and nothing changes", async () => {
      const sent = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "Hi" } });
      const id = sent.body.data.conversationId;
      const me = "US00000000000000000000000000000001";
      const api = t.api().withToken(t.token({ sub: me, tenants: ["alpha"] }));
      const stranger = await api.patch(`/api/conversations/${id}`, { assignedTo: "US00000000000000000000000000000002" });
      expect(stranger.status).to.equal(400);
      expect(stranger.body.error).to.match(/assignedTo/);
      expect((await api.get(`/api/conversations/${id}`)).body.data.assignedTo).to.equal(null);
      expect((await api.patch(`/api/conversations/${id}`, { assignedTo: me })).body.data.assignedTo).to.equal(me);
      expect((await api.get("/api/conversations?assignedTo=me")).body.data.conversations.map((c: any) => c.id)).to.deep.equal([id]);
      const other = t.api().withToken(t.token({ sub: "US00000000000000000000000000000003", tenants: ["alpha"] }));
      expect((await other.get("/api/conversations?assignedTo=me")).body.data.conversations).to.deep.equal([]);
    });
  });

  describe("when another tenant's token names alpha's conversation or message", () => {
    it("answers 404 and changes nothing; its socket cannot join the conversation", async () => {
      const sent = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "private" } });
      const { conversationId, id } = sent.body.data;
      const beta = t.api("beta");
      expect((await beta.get(`/api/messages/${id}`)).status).to.equal(404);
      expect((await beta.get(`/api/conversations/${conversationId}`)).status).to.equal(404);
      expect((await beta.patch(`/api/conversations/${conversationId}`, { status: "CLOSED" })).status).to.equal(404);
      expect((await beta.get("/api/messages")).body.data.pagination.total).to.equal(0);
      expect((await t.api().get(`/api/conversations/${conversationId}`)).body.data.status).to.equal("OPEN");
      const socket = await connectRoot(t.baseUrl, t.token({ tenants: ["beta"] }));
      sockets.push(socket);
      const ack = await socket.emitWithAck("join-conversation", { conversationId });
      expect(ack.error.code).to.equal("not_found");
    });
  });

  describe("typing on /", () => {
    it("relays typing-start to the others in the conversation as typing:start", async () => {
      const sent = await t.api().post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "Hi" } });
      const { conversationId } = sent.body.data;
      const [typist, watcher] = await Promise.all([
        connectRoot(t.baseUrl, t.token({ sub: "agent-1", tenants: ["alpha"] })),
        connectRoot(t.baseUrl, t.token({ sub: "agent-2", tenants: ["alpha"] })),
      ]);
      sockets.push(typist, watcher);
      expect((await typist.emitWithAck("join-conversation", { conversationId })).data).to.deep.equal({ conversationId });
      await watcher.emitWithAck("join-conversation", conversationId);
      const heard = nextEvent(watcher, "typing:start");
      typist.emit("typing-start", { conversationId });
      expect(await heard).to.deep.equal({ conversationId, userId: "agent-1" });
    });
  });
});
