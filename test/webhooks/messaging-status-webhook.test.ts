import { expect } from "chai";
import { connectClient, nextEvent, recordEvents, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { postSignedForm } from "../support/sign-webhook.js";
import { startApp, type TestApp } from "../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

describe("POST /webhooks/twilio/{sms,whatsapp}/status (Messaging status callbacks)", () => {
  let t: TestApp;
  let client: ChatClient;
  let sid: string;
  let messageSid: string;

  beforeEach(async () => {
    t = await startApp();
    sid = (await t.api().post(BASE, { friendlyName: "Status", participants: [{ phoneNumber: "+15555000001" }] })).body.sid;
    messageSid = (await t.api().post(`${BASE}/${sid}/messages`, { body: "Tracked" })).body.sid;
    await t.emulator.whenIdle();
    client = await connectClient(t.baseUrl, { token: t.token() });
    await subscribe(client, sid);
  });
  afterEach(async () => {
    client.close();
    await t.close();
  });

  const status = async () => {
    t.app.cache.clear();
    const messages = await t.api().get(`${BASE}/${sid}/messages`);
    return JSON.parse(messages.body.find((m: any) => m.sid === messageSid).attributes);
  };

  describe("when the callback URL names the conversation message", () => {
    it("updates attributes.status and emits delivery:receipt", async () => {
      const path = `/api/v1/chat/webhooks/twilio/sms/status?conversationSid=${sid}&messageSid=${messageSid}`;
      const receipt = nextEvent(client, "delivery:receipt");
      const answer = await postSignedForm(
        t.api(),
        t.baseUrl,
        path,
        { AccountSid: t.tenants.alpha.accountSid, MessageSid: `SM${"a".repeat(32)}`, MessageStatus: "delivered", SmsStatus: "delivered" },
        t.tenants.alpha.authToken,
      );
      expect(answer).to.deep.equal({ status: 200, body: { status: "applied" } });
      expect((await receipt).receipt).to.deep.equal({ messageSid, status: "delivered", channel: "SMS" });
      expect(await status()).to.include({ status: "delivered", twilioMessageId: `SM${"a".repeat(32)}` });
    });
  });

  describe("when an earlier delivery receipt reported the SMS SID", () => {
    it("finds the message from that SID alone (no scan)", async () => {
      const [receipt] = await t.emulator.simulateDelivery({ accountSid: t.tenants.alpha.accountSid, conversationSid: sid, messageSid, status: "sent" });
      await t.emulator.whenIdle();
      const failed = nextEvent(client, "delivery:receipt", (p) => p.receipt.status === "failed");
      const answer = await postSignedForm(
        t.api(),
        t.baseUrl,
        "/api/v1/chat/webhooks/twilio/sms/status",
        { AccountSid: t.tenants.alpha.accountSid, MessageSid: receipt!.channelMessageSid, MessageStatus: "failed", ErrorCode: "30003" },
        t.tenants.alpha.authToken,
      );
      expect(answer.body.status).to.equal("applied");
      expect((await failed).receipt).to.include({ status: "failed", errorCode: 30003 });
      expect(await status()).to.include({ status: "failed", errorCode: 30003 });
    });
  });

  describe("when the message cannot be placed", () => {
    it("answers 200 ignored and emits nothing", async () => {
      const events = recordEvents(client);
      const answer = await postSignedForm(
        t.api(),
        t.baseUrl,
        "/api/v1/chat/webhooks/twilio/whatsapp/status",
        { AccountSid: t.tenants.alpha.accountSid, MessageSid: `SM${"b".repeat(32)}`, MessageStatus: "read" },
        t.tenants.alpha.authToken,
      );
      expect(answer).to.deep.equal({ status: 200, body: { status: "ignored" } });
      await settle();
      expect(events.besidesConversationUpdates()).to.deep.equal([]);
    });
  });

  describe("when a late `sent` arrives after `delivered`", () => {
    it("never moves the status backwards", async () => {
      const path = `/api/v1/chat/webhooks/twilio/sms/status?conversationSid=${sid}&messageSid=${messageSid}`;
      const post = (MessageStatus: string) =>
        postSignedForm(t.api(), t.baseUrl, path, { AccountSid: t.tenants.alpha.accountSid, MessageSid: `SM${"c".repeat(32)}`, MessageStatus }, t.tenants.alpha.authToken);
      await post("delivered");
      await post("sent");
      expect((await status()).status).to.equal("delivered");
    });
  });

  describe("when the signature was made with another token", () => {
    it("responds 403", async () => {
      const answer = await postSignedForm(
        t.api(),
        t.baseUrl,
        `/api/v1/chat/webhooks/twilio/sms/status?conversationSid=${sid}&messageSid=${messageSid}`,
        { AccountSid: t.tenants.alpha.accountSid, MessageSid: `SM${"d".repeat(32)}`, MessageStatus: "delivered" },
        t.tenants.beta.authToken,
      );
      expect(answer.status).to.equal(403);
    });
  });
});
