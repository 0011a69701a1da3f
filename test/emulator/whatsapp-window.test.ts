import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";
import { startReceiver } from "./webhook-receiver.js";

// Error 63016 (https://www.twilio.com/docs/api/errors/63016): free-form WhatsApp more than 24 hours after the user's
// last inbound message fails; Conversations accepts the message and fails its delivery.
describe("Twilio emulator: WhatsApp's 24-hour window", () => {
  let f: EmulatorFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    f = await startEmulator();
    receiver = await startReceiver();
    f.emulator.configureWebhooks(f.accountSid, f.serviceSid, { postWebhookUrl: receiver.url, filters: ["onDeliveryUpdated"] });
  });
  afterEach(async () => {
    await f.emulator.stop();
    await receiver.close();
  });

  const customerWrote = (hoursAgo: number) =>
    f.emulator.simulateInboundMessage({
      accountSid: f.accountSid,
      from: "whatsapp:+15005550123",
      to: "whatsapp:+15005550199",
      body: "hi",
      dateCreated: new Date(Date.now() - hoursAgo * 3600_000),
    });
  const send = (conversationSid: string, params: Record<string, string>) =>
    f.call("POST", `/v1/Conversations/${conversationSid}/Messages`, params, { "x-twilio-webhook-enabled": "true" });

  describe("when the customer last wrote 25 hours ago", () => {
    it("accepts a free-form message, then fails its delivery with 63016", async () => {
      const { conversationSid } = await customerWrote(25);
      const sent = await send(conversationSid, { Body: "Are you there?" });
      expect(sent.status).to.equal(201);
      await f.emulator.whenIdle();
      const failed = receiver.received.find((hook) => hook.params.MessageSid === sent.body.sid);
      expect(failed?.params).to.include({ EventType: "onDeliveryUpdated", Status: "failed", ErrorCode: "63016" });
      const receipts = await f.call("GET", `/v1/Conversations/${conversationSid}/Messages/${sent.body.sid}/Receipts`);
      expect(receipts.body.delivery_receipts[0]).to.include({ status: "failed", error_code: 63016 });
    });
  });

  describe("when a template is sent outside the window", () => {
    const template = async () => {
      const response = await fetch(`${f.emulator.baseUrl}/v1/Content`, {
        method: "POST",
        headers: { authorization: "Basic " + Buffer.from(`${f.accountSid}:${f.authToken}`).toString("base64"), "content-type": "application/json" },
        body: JSON.stringify({ language: "en", types: { "twilio/text": { body: "Your order {{1}} is ready" } } }),
      });
      return ((await response.json()) as { sid: string }).sid;
    };

    it("delivers an approved one, and fails an unapproved one with 63016", async () => {
      const { conversationSid } = await customerWrote(25);
      const approved = await template();
      f.emulator.setContentApproval({ accountSid: f.accountSid, contentSid: approved, status: "approved" });
      const unapproved = await template();
      const good = await send(conversationSid, { ContentSid: approved, ContentVariables: '{"1":"#7"}' });
      const bad = await send(conversationSid, { ContentSid: unapproved, ContentVariables: '{"1":"#8"}' });
      await f.emulator.whenIdle();
      expect(good.body.body).to.equal("Your order #7 is ready");
      expect(receiver.received.filter((hook) => hook.params.MessageSid === good.body.sid)).to.deep.equal([]);
      expect(receiver.received.find((hook) => hook.params.MessageSid === bad.body.sid)?.params.ErrorCode).to.equal("63016");
    });
  });

  describe("when the message is created without X-Twilio-Webhook-Enabled", () => {
    it("still reports the failed delivery (Twilio fires it later, on its own)", async () => {
      const { conversationSid } = await customerWrote(30);
      const sent = await f.call("POST", `/v1/Conversations/${conversationSid}/Messages`, { Body: "Hello again" });
      await f.emulator.whenIdle();
      const events = receiver.received.filter((hook) => hook.params.MessageSid === sent.body.sid);
      expect(events.map((hook) => [hook.params.EventType, hook.params.ErrorCode])).to.deep.equal([["onDeliveryUpdated", "63016"]]);
    });
  });

  describe("when the customer wrote 2 hours ago", () => {
    it("delivers free-form (no failure)", async () => {
      const { conversationSid } = await customerWrote(2);
      const sent = await send(conversationSid, { Body: "Yes?" });
      await f.emulator.whenIdle();
      expect(sent.status).to.equal(201);
      expect(receiver.received.filter((hook) => hook.params.MessageSid === sent.body.sid)).to.deep.equal([]);
    });
  });
});
