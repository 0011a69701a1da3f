import { EventWebhook, EventWebhookHeader } from "@sendgrid/eventwebhook";
import { expect } from "chai";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { TwilioEmulator } from "../../src/emulator/index.js";

interface RawDelivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback receiver keeping the raw body (signatures cover the exact bytes). */
async function startRawReceiver(answer = { status: 200, body: "ok" }) {
  const received: RawDelivery[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answer.status;
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sendgrid/events?tenant=acme`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function verifies(publicKey: string, delivery: RawDelivery): boolean {
  const webhook = new EventWebhook();
  const signature = delivery.headers[EventWebhookHeader.SIGNATURE().toLowerCase()] as string;
  const timestamp = delivery.headers[EventWebhookHeader.TIMESTAMP().toLowerCase()] as string;
  return webhook.verifySignature(webhook.convertPublicKeyToECDSA(publicKey), delivery.body, signature, timestamp);
}

describe("SendGrid emulator: signed Event Webhook", () => {
  let emulator: TwilioEmulator;
  let receiver: Awaited<ReturnType<typeof startRawReceiver>>;
  let messageId: string;

  const send = async (payload: object) => {
    const apiKey = emulator.sendgrid.createApiKey();
    const response = await fetch(`${emulator.baseUrl}/v3/mail/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    expect(response.status).to.equal(202);
    return response.headers.get("x-message-id")!;
  };

  before(async () => {
    emulator = await TwilioEmulator.start({ rateLimits: false });
    receiver = await startRawReceiver({ status: 200, body: "thanks" });
    emulator.sendgrid.configureEventWebhook({ url: receiver.url });
    messageId = await send({
      personalizations: [
        { to: [{ email: "ana@example.com" }], cc: [{ email: "bo@example.com" }], custom_args: { conversation_sid: "CH1" } },
      ],
      from: { email: "support@acme.example" },
      subject: "Your ticket",
      content: [{ type: "text/plain", value: "Hello" }],
      custom_args: { tenant: "acme", conversation_sid: "overridden" },
      categories: ["inbox"],
    });
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });
  after(async () => {
    await emulator.stop();
    await receiver.close();
  });

  describe("when events are posted for a sent mail", () => {
    it("signs a JSON array that @sendgrid/eventwebhook verifies and returns the receiver's answer", async () => {
      const answer = await emulator.sendgrid.postEvents([{ messageId, event: "delivered", email: "ana@example.com" }]);
      expect(answer).to.deep.equal({ status: 200, body: "thanks" });
      const [delivery] = receiver.received;
      expect(delivery!.headers["content-type"]).to.equal("application/json");
      expect(verifies(emulator.sendgrid.webhookPublicKey, delivery!)).to.equal(true);
    });

    it("carries SendGrid's event fields and the mail's custom_args as top-level keys", async () => {
      await emulator.sendgrid.postEvents([
        { messageId, event: "processed", email: "ana@example.com" },
        { messageId, event: "bounce", email: "bo@example.com", reason: "550 5.1.1 no such user" },
        { messageId, event: "click", email: "ana@example.com", url: "https://acme.example/t/1" },
      ], { timestamp: 1_700_000_000 });
      const [processed, bounce, click] = JSON.parse(receiver.received[0]!.body);
      expect(processed).to.include({
        email: "ana@example.com",
        timestamp: 1_700_000_000,
        event: "processed",
        "smtp-id": `<${messageId}@ismtpd0001p1emu1.sendgrid.net>`,
        conversation_sid: "CH1",
        tenant: "acme",
      });
      expect(processed.category).to.deep.equal(["inbox"]);
      expect(processed.sg_message_id).to.match(new RegExp(`^${messageId}\\.filter`));
      expect(bounce).to.include({ event: "bounce", reason: "550 5.1.1 no such user", type: "bounce", email: "bo@example.com" });
      expect(bounce.sg_message_id).to.not.equal(processed.sg_message_id);
      expect(click).to.include({ event: "click", url: "https://acme.example/t/1", ip: "255.255.255.255" });
      expect(click.useragent).to.be.a("string");
      expect(receiver.received[0]!.headers["x-twilio-email-event-webhook-timestamp"]).to.equal("1700000000");
      const ids = [processed, bounce, click].map((e) => e.sg_event_id);
      expect(new Set(ids).size).to.equal(3);
    });

    it("posts one event per recipient when no email is given", async () => {
      await emulator.sendgrid.postEvents([{ messageId, event: "open" }]);
      const events = JSON.parse(receiver.received[0]!.body);
      expect(events.map((e: { email: string }) => e.email)).to.deep.equal(["ana@example.com", "bo@example.com"]);
    });
  });

  describe("when the payload is tampered with after signing", () => {
    it("fails verification", async () => {
      await emulator.sendgrid.postEvents([{ messageId, event: "delivered" }], { tamper: true });
      const [delivery] = receiver.received;
      expect(verifies(emulator.sendgrid.webhookPublicKey, delivery!)).to.equal(false);
      expect(JSON.parse(delivery!.body)[0].email).to.equal("tampered.ana@example.com");
    });
  });

  describe("when events name a mail that was never sent", () => {
    it("rejects without posting", async () => {
      const posting = emulator.sendgrid.postEvents([{ messageId: "unknown", event: "delivered" }]);
      await posting.then(
        () => expect.fail("should have rejected"),
        (error: Error) => expect(error.message).to.include("unknown"),
      );
      expect(receiver.received).to.have.length(0);
    });
  });

  describe("when driven through the control endpoints", () => {
    it("shows the public key and posts signed events", async () => {
      const control = (path: string, body?: object) =>
        fetch(`${emulator.baseUrl}/__emulator/sendgrid/${path}`, {
          method: body ? "POST" : "GET",
          headers: { "content-type": "application/json" },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      expect(await (await control("webhook")).json()).to.deep.equal({
        url: receiver.url,
        publicKey: emulator.sendgrid.webhookPublicKey,
      });
      const posted = await control("events", { events: [{ messageId, event: "dropped", email: "bo@example.com" }] });
      expect(await posted.json()).to.deep.equal({ status: 200, body: "thanks" });
      expect(JSON.parse(receiver.received[0]!.body)[0]).to.include({ event: "dropped", reason: "Bounced Address" });
      expect(verifies(emulator.sendgrid.webhookPublicKey, receiver.received[0]!)).to.equal(true);
      expect((await control("webhook", { url: "not a url" })).status).to.equal(400);
    });
  });
});
