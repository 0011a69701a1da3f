import { expect } from "chai";
import { connectClient, nextEvent, subscribe } from "../../support/connect-client.js";
import { createConversation, phoneNumbers } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const phone = phoneNumbers("+1555430");
const HOUR = 60 * 60 * 1000;

describe("WhatsApp's 24-hour window", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  /** A customer's WhatsApp message, sent `hoursAgo` hours ago. */
  const customerWrote = async (from: string, hoursAgo: number) => {
    const sent = await t.emulator.simulateInboundMessage({
      accountSid: t.tenants.alpha.accountSid,
      from: `whatsapp:${from}`,
      to: t.tenants.alpha.whatsappNumber!,
      body: "hello",
      dateCreated: new Date(Date.now() - hoursAgo * HOUR),
    });
    await t.emulator.whenIdle();
    return sent.conversationSid;
  };
  const messagePosts = () => t.emulator.requests.count((e) => e.method === "POST" && /\/Messages$/.test(e.path));

  describe("when the customer wrote 2 hours ago", () => {
    it("the view says the window is open until 24 hours after, and free-form text is sent", async () => {
      const sid = await customerWrote(phone(), 2);
      const view = (await t.api().get(`${BASE}/${sid}`)).body;
      expect(view.whatsappWindow.open).to.equal(true);
      const expires = Date.parse(view.whatsappWindow.expiresAt);
      expect(expires).to.be.closeTo(Date.now() + 22 * HOUR, 5000);
      const sent = await t.api().post(`${BASE}/${sid}/messages`, { body: "We can help" });
      expect(sent.status).to.equal(201);
    });
  });

  describe("when the customer wrote 25 hours ago", () => {
    it("the view says closed, and free-form text is refused with 409 before Twilio is called", async () => {
      const sid = await customerWrote(phone(), 25);
      const view = (await t.api().get(`${BASE}/${sid}`)).body;
      expect(view.whatsappWindow.open).to.equal(false);
      const before = messagePosts();
      const refused = await t.api().post(`${BASE}/${sid}/messages`, { body: "Still there?" });
      expect(refused.status).to.equal(409);
      expect(refused.body.error.code).to.equal("whatsapp_window_closed");
      expect(refused.body.error.message).to.match(/template/);
      expect(messagePosts()).to.equal(before);
    });
  });

  describe("when the business opens a WhatsApp conversation", () => {
    it("the view says closed with no expiry, and free-form text is refused", async () => {
      const { sid } = await createConversation(t, { phone: phone(), channel: "WhatsApp" });
      const view = (await t.api().get(`${BASE}/${sid}`)).body;
      expect(view.whatsappWindow).to.deep.equal({ open: false, expiresAt: null });
      const refused = await t.api().post(`${BASE}/${sid}/messages`, { body: "Hello!" });
      expect(refused.body.error.code).to.equal("whatsapp_window_closed");
      // The PHP-compatible surface applies the same rule.
      const php = await t.api().post("/twilio/send_message.php", { account_id: "alpha", conversation_sid: sid, body: "Hello!" });
      expect(php.status).to.equal(409);
    });
  });

  describe("when the conversation is SMS", () => {
    it("has no whatsappWindow and sends free-form", async () => {
      const { sid } = await createConversation(t, { phone: phone() });
      const view = (await t.api().get(`${BASE}/${sid}`)).body;
      expect(view).not.to.have.property("whatsappWindow");
      expect((await t.api().post(`${BASE}/${sid}/messages`, { body: "hi" })).status).to.equal(201);
    });
  });

  describe("when Twilio fails a free-form message outside the window itself (63016)", () => {
    it("arrives as delivery:receipt failed with 63016 and Twilio's reason, and the message's status says so", async () => {
      // Open for the gateway (it saw a recent message), closed for Twilio: the window closes between check and send.
      const from = phone();
      const sid = await customerWrote(from, 2);
      // The conversation's only customer message is then removed on Twilio's side (as if it were older).
      const messages = t.emulator.requests.entries.length;
      const [customer] = (await t.api().get(`${BASE}/${sid}/messages`)).body;
      const account = t.tenants.alpha;
      await fetch(`${t.emulator.baseUrl}/v1/Conversations/${sid}/Messages/${customer.sid}`, {
        method: "DELETE",
        headers: { authorization: "Basic " + Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64") },
      });
      expect(t.emulator.requests.entries.length).to.be.greaterThan(messages);
      const client = await connectClient(t.baseUrl, { token: t.token() });
      try {
        await subscribe(client, sid);
        const failed = nextEvent(client, "delivery:receipt", (payload) => payload.receipt.status === "failed");
        const sent = await t.api().post(`${BASE}/${sid}/messages`, { body: "Are you still there?" });
        expect(sent.status).to.equal(201);
        const { receipt } = await failed;
        expect(receipt).to.deep.include({ messageSid: sent.body.sid, status: "failed", channel: "WhatsApp", errorCode: 63016 });
        expect(receipt.reason).to.equal("Outside messaging window. For WhatsApp, use a Message Template instead");
        await t.emulator.whenIdle();
        const [latest] = (await t.api().get(`${BASE}/${sid}/messages?limit=1`)).body;
        expect(JSON.parse(latest.attributes)).to.include({ status: "failed", errorCode: 63016 });
      } finally {
        client.close();
      }
    });
  });
});
