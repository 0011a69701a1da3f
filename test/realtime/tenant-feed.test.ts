import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { toEntry } from "../../src/inbox/conversation-directory.js";
import { connectClient, nextEvent, recordEvents, settle, subscribe } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
/** Long enough that the five updates published in one go all fall into the first window, on a loaded machine too. */
const BATCH_MS = 400;

/** Any socket.io-client socket connected (or refused) on `path` with `auth`. */
function connectTo(t: TestApp, path: string, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(`${t.baseUrl}${path}`, { auth, transports: ["websocket"], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

const refusalOf = (connecting: Promise<{ close(): unknown }>) =>
  connecting.then(
    (socket) => (socket.close(), undefined),
    (error: Error & { data?: unknown }) => ({ message: error.message, data: error.data }),
  );

/** Waits (generously) until `count()` reaches `n`. */
async function until(count: () => number, n: number, what: string): Promise<void> {
  for (let waited = 0; count() < n; waited += 20) {
    if (waited > 10_000) throw new Error(`${what}: ${count()} of ${n} within 10 s`);
    await settle(20);
  }
}

const FEED_ERROR = 'conversationFeed must be "each" or "batched" or "none"';

describe("the tenant feed a socket chooses at the handshake (auth.conversationFeed)", function () {
  this.timeout(30_000);
  let t: TestApp;
  const sockets: Array<{ close(): unknown }> = [];
  const connect = async (auth: { conversationFeed?: string }, tenant: "alpha" | "beta" = "alpha", sub = "agent-1") => {
    const client = await connectClient(t.baseUrl, { token: t.token({ tenants: [tenant], sub }), ...auth });
    sockets.push(client);
    return client;
  };

  beforeEach(async () => {
    // Every update on the `each` feed (no per-conversation coalescing), so what it should carry is exact.
    t = await startApp({ env: { REALTIME_CONVERSATION_UPDATE_MS: "0", REALTIME_FEED_BATCH_MS: String(BATCH_MS) } });
  });
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.close());
    await t.close();
  });

  describe("on /chat, when the tenant's conversations change five times in a burst", () => {
    /** Publishes `conversation.updated` as the conversation webhook does, for SIDs no webhook will ever name. */
    const burst = async () => {
      const { sid: real } = await createConversation(t, { phone: "+15553100001" });
      const view = (await t.api().get(`${BASE}/${real}`)).body;
      // The creation's own updates opened a window: wait until the feed is quiet again, so the burst starts one.
      await t.emulator.whenIdle();
      await settle(2 * BATCH_MS + 300);
      const [A, B, C] = [0, 1, 2].map(() => `CH${randomBytes(16).toString("hex")}`) as [string, string, string];
      const publish = (sid: string, unreadCount: number) => {
        const conversation = { ...view, sid, attributes: JSON.stringify({ ...JSON.parse(view.attributes), unreadCount }) };
        t.app.events.publish("conversation.updated", { tenantId: "alpha", conversationSid: sid, entry: toEntry(conversation), conversation });
      };
      return {
        names: new Map([
          [A, "A"],
          [B, "B"],
          [C, "C"],
        ]),
        publish: () => {
          publish(A, 1);
          publish(B, 1);
          publish(A, 2);
          publish(C, 1);
          publish(B, 2);
        },
      };
    };
    const named = (names: Map<string, string>, payload: { conversationSid: string; conversation: { attributes: string } }) =>
      `${names.get(payload.conversationSid) ?? "?"}${JSON.parse(payload.conversation.attributes).unreadCount}`;

    it("each (and no field) hears every update; batched hears the first at once, then the window's latest per conversation in one event; none hears nothing", async () => {
      const { names, publish } = await burst();
      const [each, unnamed, batched, none] = await Promise.all([
        connect({ conversationFeed: "each" }),
        connect({}, "alpha", "agent-2"),
        connect({ conversationFeed: "batched" }, "alpha", "agent-3"),
        connect({ conversationFeed: "none" }, "alpha", "agent-4"),
      ]);
      const [eachEvents, unnamedEvents, batchedEvents, noneEvents] = [each, unnamed, batched, none].map(recordEvents);

      publish();
      await until(() => batchedEvents.of("conversations:updated").length, 2, "batches");
      await until(() => eachEvents.of("conversation:updated").length, 5, "updates");
      await settle(BATCH_MS + 200); // a third batch, or a late event, would show now

      const everyUpdate = ["A1", "B1", "A2", "C1", "B2"];
      expect(eachEvents.of("conversation:updated").map((p) => named(names, p))).to.deep.equal(everyUpdate);
      expect(unnamedEvents.of("conversation:updated").map((p) => named(names, p))).to.deep.equal(everyUpdate);
      expect(eachEvents.of("conversations:updated")).to.deep.equal([]);
      // The first at once (alone), then the rest of the window: B1 and A1 superseded, in the order of the latest updates.
      expect(batchedEvents.of("conversations:updated").map((p) => p.conversations.map((c: any) => named(names, c)))).to.deep.equal([
        ["A1"],
        ["A2", "C1", "B2"],
      ]);
      expect(batchedEvents.received.map((entry) => entry.event)).to.deep.equal(["conversations:updated", "conversations:updated"]);
      expect(noneEvents.received).to.deep.equal([]);
    });

    it("never sends one tenant's batch to another tenant's batched socket", async () => {
      const { publish } = await burst();
      const own = await connect({ conversationFeed: "batched" });
      const other = await connect({ conversationFeed: "batched" }, "beta", "agent-9");
      const ownEvents = recordEvents(own);
      const otherEvents = recordEvents(other);

      publish();
      await until(() => ownEvents.of("conversations:updated").length, 2, "batches");
      await settle(BATCH_MS + 200);
      expect(otherEvents.received).to.deep.equal([]);
    });
  });

  describe("on /chat, when a customer's SMS reaches Twilio (the webhooks emit)", () => {
    it("a batched socket hears the conversation's new state in a batch; a none socket hears only the conversation it subscribed to", async () => {
      const { sid, phone } = await createConversation(t, { phone: "+15553100011" });
      const { sid: elsewhere } = await createConversation(t, { phone: "+15553100012" });
      const batched = await connect({ conversationFeed: "batched" });
      const widget = await connect({ conversationFeed: "none" }, "alpha", "agent-2");
      const otherWidget = await connect({ conversationFeed: "none" }, "alpha", "agent-3");
      await subscribe(widget, sid);
      await subscribe(otherWidget, elsewhere);
      const batchedEvents = recordEvents(batched);
      const otherWidgetEvents = recordEvents(otherWidget);

      const batch = nextEvent(batched, "conversations:updated", (p) =>
        p.conversations.some((c: any) => c.conversationSid === sid && JSON.parse(c.conversation.attributes).unreadCount === 1),
      );
      const received = nextEvent(widget, "message:received");
      const updated = nextEvent(widget, "conversation:updated", (p) => p.conversationSid === sid && JSON.parse(p.conversation.attributes).unreadCount === 1);
      await inboundMessage(t, { from: phone, body: "Is my order on its way?" });

      const item = (await batch).conversations.find((c: any) => c.conversationSid === sid);
      expect(item.conversation.latestMessage.body).to.equal("Is my order on its way?");
      expect((await received).message.body).to.equal("Is my order on its way?");
      await updated;
      await settle(BATCH_MS + 200);
      expect(batchedEvents.received.map((entry) => entry.event)).to.satisfy((names: string[]) => names.every((name) => name === "conversations:updated"));
      expect(otherWidgetEvents.received).to.deep.equal([]);
    });
  });

  describe("when the handshake names an unknown feed", () => {
    it("is refused with a message naming conversationFeed, after the token is checked", async () => {
      for (const conversationFeed of ["sometimes", 42, "", "EACH"]) {
        const refused = await refusalOf(connectClient(t.baseUrl, { token: t.token(), conversationFeed: conversationFeed as string }));
        expect(refused, String(conversationFeed)).to.deep.equal({ message: FEED_ERROR, data: { code: "validation_failed", field: "conversationFeed" } });
      }
      // A bad token is told only that.
      expect(await refusalOf(connectClient(t.baseUrl, { token: "garbage", conversationFeed: "sometimes" }))).to.deep.equal({
        message: "Authentication error",
        data: { code: "unauthenticated" },
      });
      expect(await refusalOf(connectTo(t, "/", { token: t.token(), conversationFeed: "sometimes" }))).to.deep.include({ message: FEED_ERROR });
    });
  });

  describe("on / (the business API's names)", () => {
    it("a batched socket hears conversations:updated with business conversations; a none socket hears only the conversation it joined", async () => {
      const { sid, phone } = await createConversation(t, { phone: "+15553100021" });
      const { sid: elsewhere } = await createConversation(t, { phone: "+15553100022" });
      const each = await connectTo(t, "/", { token: t.token() });
      const batched = await connectTo(t, "/", { token: t.token({ sub: "agent-2" }), conversationFeed: "batched" });
      const widget = await connectTo(t, "/", { token: t.token({ sub: "agent-3" }), conversationFeed: "none" });
      const otherWidget = await connectTo(t, "/", { token: t.token({ sub: "agent-4" }), conversationFeed: "none" });
      sockets.push(each, batched, widget, otherWidget);
      expect(await widget.timeout(3000).emitWithAck("join-conversation", { conversationId: sid })).to.deep.equal({ data: { conversationId: sid } });
      await otherWidget.timeout(3000).emitWithAck("join-conversation", { conversationId: elsewhere });
      const heard = (socket: Socket) => {
        const events: Array<{ event: string; payload: any }> = [];
        socket.onAny((event, payload) => events.push({ event, payload }));
        return events;
      };
      const [eachHeard, batchedHeard, widgetHeard, otherHeard] = [each, batched, widget, otherWidget].map(heard);

      await inboundMessage(t, { from: phone, body: "Hello from the business side" });
      await until(() => batchedHeard.filter((e) => e.event === "conversations:updated" && e.payload.conversations.some((c: any) => c.id === sid)).length, 1, "batch");
      await until(() => widgetHeard.filter((e) => e.event === "message:new").length, 1, "message:new");
      await settle(BATCH_MS + 200);

      const names = (events: typeof eachHeard) => [...new Set(events.map((e) => e.event))].sort();
      expect(names(eachHeard)).to.include.members(["conversation:updated", "message:new"]);
      expect(names(eachHeard)).to.not.include("conversations:updated");
      expect(names(batchedHeard)).to.deep.equal(["conversations:updated"]);
      const batchItem = batchedHeard.flatMap((e) => e.payload.conversations).find((c: any) => c.id === sid);
      expect(batchItem).to.include({ id: sid, phoneNumber: phone, status: "OPEN" });
      expect(widgetHeard.filter((e) => e.event === "message:new").map((e) => e.payload.content.text)).to.deep.equal(["Hello from the business side"]);
      // Its joined conversation's update too, and nothing of any other conversation.
      expect(names(widgetHeard)).to.include("conversation:updated");
      expect(widgetHeard.every((e) => (e.event === "conversation:updated" ? e.payload.id : e.payload.conversationId) === sid)).to.equal(true);
      expect(otherHeard).to.deep.equal([]);
    });
  });

  describe("on an organization's live namespace", () => {
    it("a batched socket hears conversations_updated instead of conversation_updated; none is refused there (no subscriptions), but only to a token that may connect", async () => {
      const { sid, phone } = await createConversation(t, { phone: "+15553100031" });
      const path = "/api/v1/conversations/alpha/live";
      const each = await connectTo(t, path, { token: t.token() });
      const batched = await connectTo(t, path, { token: t.token({ sub: "agent-2" }), conversationFeed: "batched" });
      sockets.push(each, batched);
      const batchedEvents: Array<{ event: string; payload: any }> = [];
      batched.onAny((event, payload) => batchedEvents.push({ event, payload }));
      const eachUpdate = new Promise<any>((resolve) => each.on("conversation_updated", (p) => p.conversation.id === sid && p.conversation.unread_count === 1 && resolve(p)));

      await inboundMessage(t, { from: phone, body: "Live and batched" });
      await eachUpdate;
      await until(() => batchedEvents.filter((e) => e.event === "conversations_updated" && e.payload.conversations.some((c: any) => c.conversation.unread_count === 1)).length, 1, "batch");
      await settle(BATCH_MS + 200);
      expect([...new Set(batchedEvents.map((e) => e.event))].sort()).to.deep.equal(["conversations_updated", "new_message"]);
      const item = batchedEvents.flatMap((e) => (e.event === "conversations_updated" ? e.payload.conversations : [])).find((c: any) => c.conversation.unread_count === 1);
      expect(item.conversation).to.include({ id: sid, last_message: "Live and batched" });

      expect(await refusalOf(connectTo(t, path, { token: t.token(), conversationFeed: "none" }))).to.deep.equal({
        message: 'conversationFeed must be "each" or "batched"',
        data: { code: "validation_failed", field: "conversationFeed" },
      });
      // Without a token that grants the organization, the answer is the one every refusal there gets.
      expect(await refusalOf(connectTo(t, path, { token: "garbage", conversationFeed: "none" }))).to.deep.include({ message: "Invalid namespace" });
      expect(await refusalOf(connectTo(t, path, { token: t.token({ tenants: ["beta"] }), conversationFeed: "none" }))).to.deep.include({ message: "Invalid namespace" });
    });
  });
});
