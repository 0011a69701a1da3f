import { expect } from "chai";
import twilio from "twilio";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";
import { startReceiver } from "./webhook-receiver.js";

describe("Twilio emulator: post-event webhooks", () => {
  let f: EmulatorFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const setup = async (statuses: number[] = []) => {
    f = await startEmulator({ webhookRetries: 2 });
    receiver = await startReceiver(statuses);
    f.emulator.configureWebhooks(f.accountSid, f.serviceSid, { postWebhookUrl: receiver.url });
  };
  afterEach(async () => {
    await f.emulator.stop();
    await receiver.close();
  });

  describe("when a REST write lacks X-Twilio-Webhook-Enabled", () => {
    it("fires nothing", async () => {
      await setup();
      await f.call("POST", "/v1/Conversations", { FriendlyName: "quiet" });
      await f.emulator.whenIdle();
      expect(receiver.received).to.have.length(0);
    });
  });

  describe("when a REST write carries X-Twilio-Webhook-Enabled: true", () => {
    it("fires a signed onConversationAdded that twilio.validateRequest accepts", async () => {
      await setup();
      const { body } = await f.call("POST", "/v1/Conversations", { FriendlyName: "loud" }, { "X-Twilio-Webhook-Enabled": "true" });
      await f.emulator.whenIdle();
      expect(receiver.received).to.have.length(1);
      const [hook] = receiver.received;
      expect(hook!.params).to.include({
        EventType: "onConversationAdded",
        ConversationSid: body.sid,
        AccountSid: f.accountSid,
        ChatServiceSid: f.serviceSid,
        Source: "API",
        RetryCount: "0",
      });
      expect(hook!.headers["user-agent"]).to.equal("TwilioProxy/1.1");
      const valid = twilio.validateRequest(f.authToken, String(hook!.headers["x-twilio-signature"]), receiver.url, hook!.params);
      expect(valid).to.equal(true);
    });
  });

  describe("when the receiver fails", () => {
    it("retries with the same idempotency token and RetryCount incremented", async () => {
      await setup([500, 503]);
      await f.call("POST", "/v1/Conversations", {}, { "X-Twilio-Webhook-Enabled": "true" });
      await f.emulator.whenIdle();
      expect(receiver.received.map((r) => r.params.RetryCount)).to.deep.equal(["0", "1", "2"]);
      const tokens = new Set(receiver.received.map((r) => r.headers["i-twilio-idempotency-token"]));
      expect(tokens.size).to.equal(1);
      expect(f.emulator.webhooks.entries.map((d) => d.status)).to.deep.equal([500, 503, 200]);
    });
  });

  describe("when an inbound SMS arrives from a new address", () => {
    it("creates a conversation and fires added events, then routes the next one to it", async () => {
      await setup();
      const first = await f.emulator.simulateInboundMessage({ accountSid: f.accountSid, from: "+15551112222", to: "+15559990000", body: "hello" });
      const second = await f.emulator.simulateInboundMessage({ accountSid: f.accountSid, from: "+15551112222", to: "+15559990000", body: "again" });
      await f.emulator.whenIdle();
      expect(first.created).to.equal(true);
      expect(second).to.include({ created: false, conversationSid: first.conversationSid });
      expect(receiver.received.map((r) => r.params.EventType)).to.deep.equal([
        "onConversationAdded", "onParticipantAdded", "onMessageAdded", "onMessageAdded",
      ]);
      const added = receiver.received[2]!.params;
      expect(added).to.include({ Source: "SMS", Author: "+15551112222", Body: "hello", Index: "0", ParticipantSid: first.participantSid });
    });
  });

  describe("when delivery progresses for an outbound message", () => {
    it("fires onDeliveryUpdated with the receipt fields", async () => {
      await setup();
      const inbound = await f.emulator.simulateInboundMessage({ accountSid: f.accountSid, from: "+15551113333", to: "+15559990000", body: "hi" });
      const reply = (await f.call("POST", `/v1/Conversations/${inbound.conversationSid}/Messages`, { Author: "agent", Body: "hello back" })).body;
      await f.emulator.simulateDelivery({ accountSid: f.accountSid, conversationSid: inbound.conversationSid, messageSid: reply.sid, status: "failed", errorCode: 30008 });
      await f.emulator.whenIdle();
      const delivery = receiver.received.find((r) => r.params.EventType === "onDeliveryUpdated")!.params;
      expect(delivery).to.include({ MessageSid: reply.sid, Status: "failed", ErrorCode: "30008", ParticipantSid: inbound.participantSid });
      expect(delivery.DeliveryReceiptSid).to.match(/^DY[0-9a-f]{32}$/);
    });
  });
});
