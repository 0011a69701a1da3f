import { expect } from "chai";
import twilio from "twilio";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";
import { startReceiver } from "./webhook-receiver.js";

describe("TwilioEmulator.simulateMessageStatus", () => {
  let f: EmulatorFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let callbackUrl: string;

  const createMessage = async (params: Record<string, string>) => {
    const { status, body } = await f.call("POST", `/2010-04-01/Accounts/${f.accountSid}/Messages.json`, {
      Body: "Your order shipped",
      StatusCallback: callbackUrl,
      ...params,
    });
    expect(status).to.equal(201);
    return body as { sid: string };
  };

  before(async () => {
    f = await startEmulator();
    receiver = await startReceiver();
    callbackUrl = `${receiver.url.replace("/twilio/events", "/twilio/status")}?tenant=acme&n=1`;
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });
  after(async () => {
    await f.emulator.stop();
    await receiver.close();
  });

  describe("when an SMS created with a StatusCallback is delivered", () => {
    it("posts the documented fields, signed over the URL with its query string", async () => {
      const message = await createMessage({ From: "+15550001111", To: "+15552223333" });
      const delivery = await f.emulator.simulateMessageStatus({ accountSid: f.accountSid, messageSid: message.sid, status: "delivered" });
      expect(delivery).to.include({ url: callbackUrl, eventType: "messageStatus", status: 200 });
      const [hook] = receiver.received;
      expect(hook!.params).to.include({
        AccountSid: f.accountSid,
        ApiVersion: "2010-04-01",
        MessageSid: message.sid,
        SmsSid: message.sid,
        MessageStatus: "delivered",
        SmsStatus: "delivered",
        From: "+15550001111",
        To: "+15552223333",
      });
      expect(hook!.params.RawDlrDoneDate).to.match(/^\d{10}$/);
      expect(hook!.params).to.not.have.property("ErrorCode");
      expect(hook!.headers["i-twilio-idempotency-token"]).to.be.a("string");
      const signature = String(hook!.headers["x-twilio-signature"]);
      expect(twilio.validateRequest(f.authToken, signature, callbackUrl, hook!.params)).to.equal(true);
      expect(f.emulator.webhooks.byEvent("messageStatus").at(-1)!.params.MessageSid).to.equal(message.sid);
    });
  });

  describe("when an SMS fails", () => {
    it("posts ErrorCode and the fetched message shows the failure", async () => {
      const message = await createMessage({ From: "+15550001111", To: "+15552224444" });
      await f.emulator.simulateMessageStatus({ accountSid: f.accountSid, messageSid: message.sid, status: "failed", errorCode: 30007 });
      expect(receiver.received[0]!.params).to.include({ MessageStatus: "failed", ErrorCode: "30007" });
      const fetched = await f.call("GET", `/2010-04-01/Accounts/${f.accountSid}/Messages/${message.sid}.json`);
      expect(fetched.body).to.include({ status: "failed", error_code: 30007 });
    });
  });

  describe("when a WhatsApp message is read", () => {
    it("adds the channel fields and EventType READ", async () => {
      const message = await createMessage({ From: "whatsapp:+14155238886", To: "whatsapp:+393331234567" });
      await f.emulator.simulateMessageStatus({ accountSid: f.accountSid, messageSid: message.sid, status: "read" });
      const params = receiver.received[0]!.params;
      expect(params).to.include({
        ChannelPrefix: "whatsapp",
        ChannelToAddress: "+393331234567",
        To: "whatsapp:+393331234567",
        From: "whatsapp:+14155238886",
        EventType: "READ",
        MessageStatus: "read",
      });
      expect(params.ChannelInstallSid).to.match(/^XE[0-9a-f]{32}$/);
      expect(params).to.not.have.property("RawDlrDoneDate");
    });
  });

  describe("when a Conversations delivery receipt's channel message is reported to an explicit URL", () => {
    it("posts the caller's SM sid, From and To, and the receipt carries the same channel_message_sid", async () => {
      const conversation = (await f.call("POST", "/v1/Conversations")).body;
      const base = `/v1/Conversations/${conversation.sid}`;
      await f.call("POST", `${base}/Participants`, { "MessagingBinding.Address": "+15552225555", "MessagingBinding.ProxyAddress": "+15550001111" });
      const reply = (await f.call("POST", `${base}/Messages`, { Author: "agent", Body: "hi" })).body;
      const [receipt] = await f.emulator.simulateDelivery({ accountSid: f.accountSid, conversationSid: conversation.sid, messageSid: reply.sid, status: "sent" });
      const listed = (await f.call("GET", `${base}/Messages/${reply.sid}/Receipts`)).body.delivery_receipts;
      expect(receipt!.channelMessageSid).to.match(/^SM[0-9a-f]{32}$/).and.equal(listed[0].channel_message_sid);

      await f.emulator.simulateMessageStatus({
        accountSid: f.accountSid,
        messageSid: receipt!.channelMessageSid,
        status: "undelivered",
        url: callbackUrl,
        from: "+15550001111",
        to: "+15552225555",
      });
      expect(receiver.received[0]!.params).to.include({
        MessageSid: receipt!.channelMessageSid,
        MessageStatus: "undelivered",
        ErrorCode: "30008",
        From: "+15550001111",
        To: "+15552225555",
      });
    });
  });

  describe("when the message has no StatusCallback and no url is given", () => {
    it("rejects without posting", async () => {
      const { body } = await f.call("POST", `/2010-04-01/Accounts/${f.accountSid}/Messages.json`, { From: "+15550001111", To: "+15552226666", Body: "x" });
      await f.emulator.simulateMessageStatus({ accountSid: f.accountSid, messageSid: body.sid, status: "sent" }).then(
        () => expect.fail("should have rejected"),
        (error: Error) => expect(error.message).to.include("no StatusCallback"),
      );
      expect(receiver.received).to.have.length(0);
    });
  });

  describe("when Messages.json receives an invalid StatusCallback", () => {
    it("answers 400 with error 21609", async () => {
      const { status, body } = await f.call("POST", `/2010-04-01/Accounts/${f.accountSid}/Messages.json`, {
        From: "+15550001111", To: "+15552227777", Body: "x", StatusCallback: "https://bad_host.example/cb",
      });
      expect(status).to.equal(400);
      expect(body.code).to.equal(21609);
    });
  });

  describe("when driven through POST /__emulator/message-status", () => {
    it("posts the callback and answers the logged delivery", async () => {
      const message = await createMessage({ From: "+15550001111", To: "+15552228888" });
      const response = await fetch(`${f.emulator.baseUrl}/__emulator/message-status`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountSid: f.accountSid, messageSid: message.sid, status: "sent" }),
      });
      expect(await response.json()).to.deep.include({ url: callbackUrl, status: 200 });
      expect(receiver.received[0]!.params).to.include({ MessageSid: message.sid, MessageStatus: "sent" });
    });
  });
});

describe("TwilioEmulator.simulateDelivery", () => {
  describe("when delivery is reported for a message with an SMS recipient", () => {
    it("gives each receipt an SM channel_message_sid that onDeliveryUpdated carries as ChannelMessageSid", async () => {
      const f = await startEmulator();
      const receiver = await startReceiver();
      try {
        f.emulator.configureWebhooks(f.accountSid, f.serviceSid, { postWebhookUrl: receiver.url, filters: ["onDeliveryUpdated"] });
        const inbound = await f.emulator.simulateInboundMessage({ accountSid: f.accountSid, from: "+15551119999", to: "+15550001111", body: "hi" });
        const reply = (await f.call("POST", `/v1/Conversations/${inbound.conversationSid}/Messages`, { Author: "agent", Body: "hello" })).body;
        const input = { accountSid: f.accountSid, conversationSid: inbound.conversationSid, messageSid: reply.sid };
        const [sent] = await f.emulator.simulateDelivery({ ...input, status: "sent" });
        const [delivered] = await f.emulator.simulateDelivery({ ...input, status: "delivered" });
        await f.emulator.whenIdle();
        expect(delivered!.channelMessageSid).to.match(/^SM[0-9a-f]{32}$/).and.equal(sent!.channelMessageSid);
        expect(receiver.received.map((r) => r.params.ChannelMessageSid)).to.deep.equal([sent!.channelMessageSid, sent!.channelMessageSid]);
      } finally {
        await f.emulator.stop();
        await receiver.close();
      }
    });
  });
});
