import { expect } from "chai";
import { parseAttributes } from "../../src/inbox/conversation-attributes.js";
import type { MessageRecord } from "../../src/inbox/inbox-types.js";
import { inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

/** Every message of alpha, read from Twilio (the emulator) conversation by conversation: what the counters must agree with. */
async function bruteForce(t: TestApp) {
  const gateway = t.app.tenants.get("alpha").gateway;
  const messages: MessageRecord[] = [];
  for (const conversation of await gateway.listConversations(1000)) {
    let pageToken: string | undefined;
    do {
      const page = await gateway.listMessages(conversation.sid, { order: "asc", limit: 100, pageToken });
      messages.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
  }
  const today = new Date().toISOString().slice(0, 10);
  const of = (m: MessageRecord) => parseAttributes<{ direction?: string; status?: string }>(m.attributes);
  // A customer's message is authored by their address (Twilio sets no attributes on it); the gateway's say outbound.
  const received = messages.filter((m) => /^(whatsapp:)?\+/.test(m.author ?? ""));
  const sent = messages.filter((m) => of(m).direction === "outbound");
  const delivered = sent.filter((m) => ["delivered", "read"].includes(of(m).status ?? "")).length;
  return {
    overview: {
      totalMessages: sent.length + received.length,
      totalConversations: new Set(messages.map((m) => m.conversationSid)).size,
      deliveryRate: sent.length ? Math.round((1000 * delivered) / sent.length) / 10 : 0,
      sentToday: sent.filter((m) => m.dateCreated.startsWith(today)).length,
      sentThisWeek: sent.length,
      sentThisMonth: sent.length,
    },
    messagesByStatus: {
      sent: sent.length,
      delivered,
      read: sent.filter((m) => of(m).status === "read").length,
      failed: sent.filter((m) => ["failed", "undelivered"].includes(of(m).status ?? "")).length,
    },
    today: { date: today, sent: sent.length, received: received.length },
  };
}

describe("business API: GET /api/analytics/overview", function () {
  this.timeout(60_000);
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  describe("after sends, answers and receipts (repeated and out of order)", () => {
    it("agrees with a brute-force recount over every message in Twilio, and counts no receipt twice", async () => {
      const send = async (to: string, text: string) =>
        (await t.api().post("/api/messages", { to, type: "text", channel: "sms", content: { text } })).body.data as { id: string; conversationId: string };
      const first = await send("+15551100001", "one");
      const second = await send("+15551100001", "two");
      await send("+15551100002", "three");
      await inboundMessage(t, { from: "+15551100001", body: "answer" });
      await inboundMessage(t, { from: "+15551100003", body: "new customer" });
      const receipt = (message: { id: string; conversationId: string }, status: "delivered" | "read" | "failed") =>
        t.emulator.simulateDelivery({ accountSid: t.tenants.alpha.accountSid, conversationSid: message.conversationId, messageSid: message.id.split("-")[1]!, status });
      await receipt(first, "read");
      await receipt(first, "delivered"); // late, after read
      await receipt(first, "read"); // again
      await receipt(second, "failed");
      await t.emulator.whenIdle();

      let expected = await bruteForce(t);
      for (let i = 0; i < 100 && expected.messagesByStatus.failed === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        expected = await bruteForce(t);
      }
      expect(expected.messagesByStatus).to.deep.equal({ sent: 3, delivered: 1, read: 1, failed: 1 });
      let answer: any;
      for (let i = 0; i < 100; i++) {
        answer = (await t.api().get("/api/analytics/overview?days=30")).body.data;
        if (JSON.stringify(answer.messagesByStatus) === JSON.stringify(expected.messagesByStatus) && answer.overview.totalMessages === expected.overview.totalMessages) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(answer.overview).to.deep.equal(expected.overview);
      expect(answer.messagesByStatus).to.deep.equal(expected.messagesByStatus);
      expect(answer.dailyActivity).to.have.length(30);
      expect(answer.dailyActivity.at(-1)).to.deep.equal(expected.today);
      expect(answer.dailyActivity.slice(0, -1).every((day: any) => day.sent === 0 && day.received === 0)).to.equal(true);
      // The overview reads no message: asked again, it costs no upstream call.
      const before = t.upstreamCalls.length;
      await t.api().get("/api/analytics/overview?days=30");
      expect(t.upstreamCalls.length).to.equal(before);
    });
  });

  describe("for another tenant", () => {
    it("counts nothing of alpha's", async () => {
      await t.api().post("/api/messages", { to: "+15551100009", type: "text", channel: "sms", content: { text: "alpha only" } });
      const beta = (await t.api("beta").get("/api/analytics/overview")).body.data;
      expect(beta.overview).to.include({ totalMessages: 0, totalConversations: 0, deliveryRate: 0 });
    });
  });
});
