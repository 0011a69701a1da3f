import { expect } from "chai";
import { connectClient, nextEvent, recordEvents, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { startApp, type TestApp } from "../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const PATH = "/api/v1/chat/webhooks/twilio/email/status";

describe("POST /webhooks/twilio/email/status (SendGrid Event Webhook)", () => {
  let t: TestApp;
  let client: ChatClient;
  let sid: string;
  let messageSid: string;
  let sendgridId: string;

  beforeEach(async () => {
    t = await startApp();
    sid = (await t.api().post(BASE, { friendlyName: "Mail", participants: [{ email: "reader@example.com" }] })).body.sid;
    messageSid = (await t.api().post(`${BASE}/${sid}/emails`, { to: "reader@example.com", subject: "Hello", text: "Hi" })).body.sid;
    sendgridId = t.emulator.sendgrid.sentMails[0]!.messageId;
    await t.emulator.whenIdle();
    client = await connectClient(t.baseUrl, { token: t.token() });
    await subscribe(client, sid);
  });
  afterEach(async () => {
    client.close();
    await t.close();
  });

  const storedAttributes = async () => {
    t.app.cache.clear();
    const messages = await t.api().get(`${BASE}/${sid}/messages`);
    return JSON.parse(messages.body.find((m: any) => m.sid === messageSid).attributes);
  };

  describe("when SendGrid reports delivery and an open", () => {
    it("emits delivery:receipt for each and moves the message to `read`", async () => {
      const delivered = nextEvent(client, "delivery:receipt", (p) => p.receipt.status === "delivered");
      const opened = nextEvent(client, "delivery:receipt", (p) => p.receipt.status === "opened");
      const answer = await t.emulator.sendgrid.postEvents([
        { messageId: sendgridId, event: "delivered" },
        { messageId: sendgridId, event: "open" },
      ]);
      expect(answer.status).to.equal(200);
      expect((await delivered).receipt).to.deep.equal({ messageSid, status: "delivered", channel: "Email" });
      expect((await opened).receipt.status).to.equal("opened");
      expect((await storedAttributes()).status).to.equal("read");
    });
  });

  describe("when the mail bounces", () => {
    it("marks it failed with SendGrid's reason", async () => {
      const failed = nextEvent(client, "delivery:receipt", (p) => p.receipt.status === "failed");
      await t.emulator.sendgrid.postEvents([{ messageId: sendgridId, event: "bounce", reason: "550 5.1.1 mailbox does not exist" }]);
      expect((await failed).receipt.reason).to.equal("550 5.1.1 mailbox does not exist");
      expect(await storedAttributes()).to.include({ status: "failed", reason: "550 5.1.1 mailbox does not exist" });
    });
  });

  describe("when the payload was tampered with after signing", () => {
    it("responds 403 and emits nothing", async () => {
      const events = recordEvents(client);
      const answer = await t.emulator.sendgrid.postEvents([{ messageId: sendgridId, event: "delivered" }], { tamper: true });
      expect(answer.status).to.equal(403);
      await settle();
      expect(events.besidesConversationUpdates()).to.deep.equal([]);
      expect((await storedAttributes()).status).to.equal("sent");
    });
  });

  describe("when the timestamp is stale (a replay)", () => {
    it("responds 403", async () => {
      const answer = await t.emulator.sendgrid.postEvents([{ messageId: sendgridId, event: "delivered" }], {
        timestamp: Math.floor(Date.now() / 1000) - 3600,
      });
      expect(answer.status).to.equal(403);
    });
  });

  describe("when SendGrid redelivers the same events", () => {
    it("emits them once", async () => {
      const first = await t.emulator.sendgrid.postEvents([{ messageId: sendgridId, event: "delivered" }]);
      expect(first.status).to.equal(200);
      const delivery = t.emulator.sendgrid.eventDeliveries.at(-1)!;
      await settle();
      const events = recordEvents(client);
      const replay = await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body });
      expect(replay.status).to.equal(200);
      expect(await replay.json()).to.deep.equal({ status: "ignored" });
      await settle();
      expect(events.of("delivery:receipt")).to.deep.equal([]);
    });
  });

  describe("when the signature headers are missing", () => {
    it("responds 400", async () => {
      const response = await t.api().withToken(null).request("POST", PATH, { body: [{ event: "delivered", sg_event_id: "x" }] });
      expect(response.status).to.equal(400);
    });
  });
});
