import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import { expect } from "chai";
import { TwilioEmulator } from "../../src/emulator/index.js";

/** A @sendgrid/mail service whose own client talks to the emulator (as the gateway wires it). */
function mailServiceFor(baseUrl: string, apiKey: string) {
  const client = new Client();
  client.setApiKey(apiKey); // resets baseUrl to SendGrid's, so point it at the emulator after
  client.setDefaultRequest("baseUrl", baseUrl);
  const service = new MailService();
  service.setClient(client);
  return service;
}

const VALID = {
  personalizations: [{ to: [{ email: "ana@example.com", name: "Ana" }], custom_args: { conversation_sid: "CH1" } }],
  from: { email: "support@acme.example", name: "Acme" },
  subject: "Your ticket",
  content: [{ type: "text/plain", value: "Hello" }, { type: "text/html", value: "<p>Hello</p>" }],
};

describe("SendGrid emulator: POST /v3/mail/send", () => {
  let emulator: TwilioEmulator;
  let apiKey: string;

  const post = async (body: unknown, authorization = `Bearer ${apiKey}`) => {
    const response = await fetch(`${emulator.baseUrl}/v3/mail/send`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : null };
  };

  before(async () => {
    emulator = await TwilioEmulator.start({ rateLimits: false });
  });
  beforeEach(() => {
    apiKey = emulator.sendgrid.createApiKey();
  });
  after(async () => {
    await emulator.stop();
  });

  describe("when @sendgrid/mail sends with an issued key", () => {
    it("answers 202 with an empty body and X-Message-Id, and records the mail", async () => {
      const service = mailServiceFor(emulator.baseUrl, apiKey);
      const [response] = await service.send({
        to: { email: "ana@example.com", name: "Ana" },
        from: { email: "support@acme.example", name: "Acme" },
        replyTo: "reply+CH1@acme.example",
        subject: "Your ticket",
        text: "Hello",
        html: "<p>Hello</p>",
        customArgs: { conversation_sid: "CH1", tenant: "acme" },
      });
      expect(response.statusCode).to.equal(202);
      expect(response.body).to.equal("");
      const messageId = response.headers["x-message-id"] as string;
      expect(messageId).to.match(/^[\w-]{22}$/);
      const sent = emulator.sendgrid.sentMails.at(-1)!;
      expect(sent).to.include({ messageId, apiKey });
      expect(sent.timestamp).to.be.instanceOf(Date);
      expect(sent.payload).to.deep.include({
        from: { email: "support@acme.example", name: "Acme" },
        reply_to: { email: "reply+CH1@acme.example" },
        custom_args: { conversation_sid: "CH1", tenant: "acme" },
      });
      expect(sent.payload.content!.map((c) => c.type)).to.deep.equal(["text/plain", "text/html"]);
    });
  });

  describe("when the key is missing or was never issued", () => {
    it("answers 401 with SendGrid's error body and records nothing", async () => {
      const before = emulator.sendgrid.sentMails.length;
      const missing = await post(VALID, "");
      const unknown = await post(VALID, "Bearer SG.not-issued.at-all");
      for (const answer of [missing, unknown]) {
        expect(answer.status).to.equal(401);
        expect(answer.json).to.deep.equal({
          errors: [{ message: "The provided authorization grant is invalid, expired, or revoked", field: null, help: null }],
        });
      }
      expect(emulator.sendgrid.sentMails).to.have.length(before);
    });
  });

  describe("when the payload breaks several rules", () => {
    it("answers 400 listing every error with the field SendGrid names", async () => {
      const answer = await post({
        personalizations: [{ to: [{ email: "not-an-address" }], cc: [{ email: "not-an-address" }], custom_args: { n: 1 } }],
        from: { name: "No address" },
        content: [{ type: "text/html", value: "<p>x</p>" }, { type: "text/plain", value: "" }],
        custom_args: "flat",
      });
      expect(answer.status).to.equal(400);
      expect(answer.json.errors.map((e: { field: string }) => e.field)).to.deep.equal([
        "personalizations.0.to.0.email",
        "personalizations.0.cc.0.email",
        "personalizations.0.custom_args.n",
        "from.email",
        "subject",
        "content.1.value",
        "content",
        "custom_args",
      ]);
      expect(answer.json.errors[0]).to.deep.equal({
        message: "Does not contain a valid address.",
        field: "personalizations.0.to.0.email",
        help: "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to",
      });
      expect(answer.json.errors[6].message).to.match(/^Following RFC 1341, section 7.2/);
      expect(answer.json.errors[7].message).to.equal("Invalid type. Expected: object, given: string.");
    });
  });

  describe("when personalizations are missing, empty of recipients or over 1000", () => {
    it("answers 400 on the personalizations field", async () => {
      const none = await post({ ...VALID, personalizations: [] });
      const noTo = await post({ ...VALID, personalizations: [{ subject: "x" }] });
      const many = await post({ ...VALID, personalizations: Array.from({ length: 1001 }, (_, i) => ({ to: [{ email: `u${i}@example.com` }] })) });
      expect(none.json.errors[0].field).to.equal("personalizations");
      expect(noTo.json.errors[0].field).to.equal("personalizations.0.to");
      expect(many.json.errors[0].message).to.include("You have provided 1001 personalizations");
    });
  });

  describe("when every personalization carries its own subject", () => {
    it("accepts a mail without a top-level subject", async () => {
      const { subject: _omitted, ...rest } = VALID;
      const answer = await post({ ...rest, personalizations: [{ to: [{ email: "ana@example.com" }], subject: "Hi" }] });
      expect(answer.status).to.equal(202);
    });
  });

  describe("when the body is not JSON", () => {
    it("answers 400 Bad Request", async () => {
      const answer = await post("{nope");
      expect(answer.status).to.equal(400);
      expect(answer.json).to.deep.equal({ errors: [{ message: "Bad Request", field: null, help: null }] });
    });
  });

  describe("when failures are scripted with failNext", () => {
    it("answers them in order, with rate-limit headers on 429, then accepts again", async () => {
      emulator.sendgrid.failNext(1, 429);
      emulator.sendgrid.failNext(1, 503, [{ message: "try later", field: null, help: null }]);
      const askedAtSeconds = Math.floor(Date.now() / 1000);
      const limited = await post(VALID);
      const unavailable = await post(VALID);
      const accepted = await post(VALID);
      expect(limited.status).to.equal(429);
      expect(limited.json).to.deep.equal({ errors: [{ field: null, message: "too many requests" }] });
      expect(limited.headers.get("x-ratelimit-remaining")).to.equal("0");
      expect(Number(limited.headers.get("x-ratelimit-reset"))).to.be.greaterThan(askedAtSeconds);
      expect(unavailable).to.deep.include({ status: 503, json: { errors: [{ message: "try later", field: null, help: null }] } });
      expect(accepted.status).to.equal(202);
      expect(emulator.sendgrid.requests.slice(-3).map((r) => r.status)).to.deep.equal([429, 503, 202]);
    });
  });

  describe("when another /v3 path is called", () => {
    it("answers 404 in SendGrid's shape and leaves the Twilio request log alone", async () => {
      const logged = emulator.requests.count();
      const response = await fetch(`${emulator.baseUrl}/v3/templates`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(response.status).to.equal(404);
      expect(await response.json()).to.deep.equal({ errors: [{ message: "not found", field: null, help: null }] });
      expect(emulator.requests.count()).to.equal(logged);
    });
  });

  describe("when driven through the control endpoints", () => {
    it("issues keys, scripts faults and lists sent mails", async () => {
      const control = (path: string, init: RequestInit = {}) =>
        fetch(`${emulator.baseUrl}/__emulator/sendgrid/${path}`, {
          ...init,
          headers: { "content-type": "application/json" },
        });
      const issued = await control("api-keys", { method: "POST", body: "{}" });
      const { apiKey: key } = (await issued.json()) as { apiKey: string };
      expect(issued.status).to.equal(201);
      expect(key).to.match(/^SG\.[\w-]{22}\.[\w-]{43}$/);
      const scripted = await control("faults", { method: "POST", body: JSON.stringify({ count: 1, status: 500 }) });
      expect(scripted.status).to.equal(204);
      expect((await post(VALID, `Bearer ${key}`)).status).to.equal(500);
      const accepted = await post(VALID, `Bearer ${key}`);
      const sent = (await (await control("sent")).json()) as Array<{ messageId: string; apiKey: string }>;
      expect(sent.at(-1)).to.include({ messageId: accepted.headers.get("x-message-id"), apiKey: key });
    });
  });
});
