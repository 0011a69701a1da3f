import { expect } from "chai";
import { postSignedForm, postSignedJson } from "../support/sign-webhook.js";
import { startApp, type TestApp } from "../support/start-app.js";

const SMS_WEBHOOK = "/api/twilio/webhook/sms";
const CONVERSATION_WEBHOOK = "/api/v1/chat/webhooks/twilio/conversation";
const SMS_STATUS = "/api/v1/chat/webhooks/twilio/sms/status";
const CONVERSATIONS = "/api/v1/chat/conversations";
/** Another deployment on the same Twilio account: Twilio signs its webhooks with the same auth token. */
const OTHER_APP = "https://other-app.example";

describe("Twilio webhook signatures (the URL they cover)", () => {
  let t: TestApp;
  afterEach(() => t.close());

  let counter = 0;
  const inboundSms = (from = "+15557100001") => ({
    AccountSid: t.tenants.alpha.accountSid,
    MessageSid: `SM${(++counter).toString(16).padStart(32, "0")}`,
    From: from,
    To: t.tenants.alpha.phoneNumber!,
    Body: "Hello",
    NumMedia: "0",
  });
  /** What an inbound SMS leaves behind: the sender's conversation, and Twilio calls. */
  const recorded = async () => {
    t.app.cache.clear();
    return { conversations: (await t.api().get(CONVERSATIONS)).body.length, upstreamCalls: t.upstreamCalls.length };
  };

  describe("when PUBLIC_BASE_URL is unset", () => {
    beforeEach(async () => {
      t = await startApp({ publicBaseUrl: null });
    });

    it("accepts a genuine inbound SMS signed over the URL Twilio called (protocol + Host + path), not 500", async () => {
      const answer = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms(), t.tenants.alpha.authToken);

      expect(answer.status).to.equal(200);
      expect(answer.body).to.match(/<Response\/>$/);
      expect((await recorded()).conversations).to.equal(1);
    });

    it("accepts a genuine JSON Conversations webhook (bodySHA256) and a Messaging status callback", async () => {
      const { alpha } = t.tenants;
      const event = { AccountSid: alpha.accountSid, ChatServiceSid: alpha.conversationsServiceSid, EventType: "onUserAdded" };
      const status = { AccountSid: alpha.accountSid, MessageSid: `SM${"e".repeat(32)}`, MessageStatus: "delivered" };

      expect(await postSignedJson(t.api(), t.baseUrl, CONVERSATION_WEBHOOK, event, alpha.authToken)).to.deep.equal({ status: 200, body: { status: "ignored" } });
      expect(await postSignedForm(t.api(), t.baseUrl, SMS_STATUS, status, alpha.authToken)).to.deep.equal({ status: 200, body: { status: "ignored" } });
    });

    it("refuses a webhook signed for another deployment even when Origin names it: 403, nothing recorded", async () => {
      const before = await recorded();
      const params = inboundSms();

      const answer = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, params, t.tenants.alpha.authToken, { origin: OTHER_APP }, `${OTHER_APP}${SMS_WEBHOOK}`);
      const json = await postSignedJson(
        t.api(),
        t.baseUrl,
        CONVERSATION_WEBHOOK,
        { AccountSid: t.tenants.alpha.accountSid, EventType: "onUserAdded" },
        t.tenants.alpha.authToken,
        { headers: { origin: OTHER_APP }, signedBaseUrl: OTHER_APP },
      );

      expect(answer.status).to.equal(403);
      expect(answer.body.error.code).to.equal("forbidden");
      expect(json.status).to.equal(403);
      expect(await recorded()).to.deep.equal(before);
    });

    it("ignores X-Forwarded-Proto/Host while TRUST_PROXY is off: they neither pass a signature for their URL nor break the real one", async () => {
      const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "other-app.example" };

      const forOther = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms(), t.tenants.alpha.authToken, forwarded, `${OTHER_APP}${SMS_WEBHOOK}`);
      const genuine = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms(), t.tenants.alpha.authToken, forwarded);

      expect(forOther.status).to.equal(403);
      expect(genuine.status).to.equal(200);
    });
  });

  describe("when PUBLIC_BASE_URL is unset and TRUST_PROXY is on", () => {
    beforeEach(async () => {
      t = await startApp({ publicBaseUrl: null, env: { TRUST_PROXY: "true" } });
    });

    it("checks the signature over the balancer's X-Forwarded-Proto + X-Forwarded-Host, not the gateway's own address", async () => {
      const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "inbox.example.com" };

      const overForwarded = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms(), t.tenants.alpha.authToken, forwarded, `https://inbox.example.com${SMS_WEBHOOK}`);
      const overOwnAddress = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms("+15557100002"), t.tenants.alpha.authToken, forwarded);

      expect(overForwarded.status).to.equal(200);
      expect(overOwnAddress.status).to.equal(403);
    });
  });

  describe("when PUBLIC_BASE_URL is set", () => {
    beforeEach(async () => {
      t = await startApp({ publicBaseUrl: "https://inbox.example.com", env: { TRUST_PROXY: "true" } });
    });

    it("checks every signature over PUBLIC_BASE_URL + path + query, whatever Host, Origin or X-Forwarded-* say", async () => {
      const before = await recorded();
      const hostile = { origin: OTHER_APP, "x-forwarded-proto": "https", "x-forwarded-host": "other-app.example" };

      const overOwnAddress = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms(), t.tenants.alpha.authToken);
      const overOther = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms(), t.tenants.alpha.authToken, hostile, `${OTHER_APP}${SMS_WEBHOOK}`);
      expect([overOwnAddress.status, overOther.status]).to.deep.equal([403, 403]);
      expect(await recorded()).to.deep.equal(before);

      const genuine = await postSignedForm(t.api(), t.baseUrl, SMS_WEBHOOK, inboundSms(), t.tenants.alpha.authToken, hostile, `https://inbox.example.com${SMS_WEBHOOK}`);
      expect(genuine.status).to.equal(200);
    });
  });
});
