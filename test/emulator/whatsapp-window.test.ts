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
