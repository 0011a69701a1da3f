import { expect } from "chai";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

describe("POST /conversations/:sid/emails", () => {
  let t: TestApp;
  let sid: string;
  beforeEach(async () => {
    t = await startApp();
    const created = await t.api().post(BASE, { friendlyName: "Katherine", participants: [{ email: "katherine@example.com" }] });
    sid = created.body.sid;
    await t.emulator.whenIdle();
  });
  afterEach(() => t.close());

  describe("when SendGrid accepts the mail", () => {
    it("records the message first, sends it with custom args naming it, and ends `sent`", async () => {
      const response = await t.api().post(`${BASE}/${sid}/emails`, {
        to: "katherine@example.com",
        subject: "Your order",
        text: "It ships today.",
        html: "<p>It ships <b>today</b>.</p>",
        cc: ["boss@example.com"],
      });
      expect(response.status).to.equal(201);
      const attributes = JSON.parse(response.body.attributes);
      expect(attributes).to.include({ channel: "Email", status: "sent", direction: "outbound", sentBy: "agent-1" });
      expect(attributes.email).to.deep.include({ subject: "Your order", to: "katherine@example.com", from: "inbox@alpha.example", cc: ["boss@example.com"] });
      expect(response.body.body).to.equal("It ships today.");
      const [mail] = t.emulator.sendgrid.sentMails;
      expect(mail!.payload.custom_args ?? mail!.payload.personalizations[0]!.custom_args).to.deep.equal({
        tenantId: "alpha",
        conversationSid: sid,
        messageSid: response.body.sid,
      });
      expect(attributes.providerMessageId).to.equal(mail!.messageId);
    });
  });

  describe("when SendGrid refuses the mail", () => {
    it("still answers 201 with the message `failed` and SendGrid's reason", async () => {
      t.emulator.sendgrid.failNext(1, 403, [{ message: "The from address does not match a verified Sender Identity.", field: "from", help: null }]);
      const response = await t.api().post(`${BASE}/${sid}/emails`, { to: "katherine@example.com", subject: "Hi", text: "Hello" });
      expect(response.status).to.equal(201);
      const attributes = JSON.parse(response.body.attributes);
      expect(attributes.status).to.equal("failed");
      expect(attributes.reason).to.contain("SendGrid 403").and.to.contain("verified Sender Identity");
    });
  });

  describe("when only HTML is given", () => {
    it("records its text as the message body", async () => {
      const response = await t.api().post(`${BASE}/${sid}/emails`, { to: "katherine@example.com", subject: "Hi", html: "<h1>Hello</h1><p>there</p>" });
      expect(response.body.body).to.equal("Hello there");
    });
  });

  describe("when the input is invalid", () => {
    for (const [situation, body, field] of [
      ["the address is invalid", { to: "nope", subject: "x", text: "y" }, "to"],
      ["the subject is missing", { to: "a@b.co", text: "y" }, "subject"],
      ["neither text nor html is given", { to: "a@b.co", subject: "x" }, "text"],
      ["a cc address is invalid", { to: "a@b.co", subject: "x", text: "y", cc: ["bad"] }, "cc/0"],
    ] as const) {
      it(`responds 400 when ${situation}, and sends nothing`, async () => {
        const response = await t.api().post(`${BASE}/${sid}/emails`, body);
        expect(response.status).to.equal(400);
        expect(response.body.error.field).to.equal(field);
        expect(t.emulator.sendgrid.sentMails).to.have.length(0);
      });
    }
  });

  describe("when cc and bcc lists would break Twilio's 4 KB limit on message attributes", () => {
    // 50 + 50 addresses of 60 characters each: valid by the contract, about 6 KB once recorded in the attributes.
    const addresses = (prefix: string) => Array.from({ length: 50 }, (_, i) => `${prefix}${i}.${"a".repeat(40)}@example.com`);

    it("POST …/emails responds 400 naming the largest list, before calling Twilio or SendGrid", async () => {
      t.upstreamCalls.length = 0;
      const response = await t.api().post(`${BASE}/${sid}/emails`, { to: "a@b.co", subject: "x", text: "y", cc: addresses("cc").slice(0, 40), bcc: addresses("bcc") });
      expect(response.status).to.equal(400);
      expect(response.body.error.field).to.equal("bcc");
      expect(response.body.error.message).to.contain("4096");
      expect(t.upstreamCalls).to.deep.equal([]);
      expect(t.emulator.sendgrid.sentMails).to.have.length(0);
    });

    it("POST …/messages responds 400 naming attributes/cc, before calling Twilio", async () => {
      t.upstreamCalls.length = 0;
      const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "hi", attributes: { cc: addresses("cc"), bcc: addresses("b").slice(0, 30) } });
      expect(response.status).to.equal(400);
      expect(response.body.error.field).to.equal("attributes/cc");
      expect(t.upstreamCalls).to.deep.equal([]);
    });
  });

  describe("when the conversation belongs to another tenant", () => {
    it("responds 404 and sends nothing", async () => {
      const response = await t.api("beta").post(`${BASE}/${sid}/emails`, { to: "a@b.co", subject: "x", text: "y" });
      expect(response.status).to.equal(404);
      expect(t.emulator.sendgrid.sentMails).to.have.length(0);
    });
  });

  describe("when a message is posted on an Email conversation", () => {
    it("is sent as an Email to the contact, with the subject given", async () => {
      const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "Following up", attributes: { subject: "Follow-up" } });
      expect(response.status).to.equal(201);
      expect(JSON.parse(response.body.attributes)).to.include({ channel: "Email", status: "sent" });
      const [mail] = t.emulator.sendgrid.sentMails;
      expect(mail!.payload.personalizations[0]!.to[0]!.email).to.equal("katherine@example.com");
      expect(mail!.payload.subject ?? mail!.payload.personalizations[0]!.subject).to.equal("Follow-up");
    });
  });
});
