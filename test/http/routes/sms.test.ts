import { expect } from "chai";
import { connectClient, nextEvent } from "../../support/connect-client.js";
import { postSignedForm } from "../../support/sign-webhook.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const WEBHOOK = "/api/twilio/webhook/sms";
const STORED = "/api/twilio/sms/stored";
const CHAT = "/api/v1/chat/conversations";

describe("seed 001: inbound SMS webhook and stored SMS (/api/twilio)", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  let counter = 0;
  const smsSid = () => `SM${(++counter).toString(16).padStart(32, "0")}`;
  const inbound = (from: string, body: string, extra: Record<string, string> = {}) =>
    postSignedForm(
      t.api(),
      t.baseUrl,
      WEBHOOK,
      { AccountSid: t.tenants.alpha.accountSid, MessageSid: smsSid(), From: from, To: t.tenants.alpha.phoneNumber!, Body: body, NumMedia: "0", ...extra },
      t.tenants.alpha.authToken,
    );

  describe("POST /webhook/sms", () => {
    it("creates the sender's conversation on first contact, answers TwiML, and emits message:received", async () => {
      const client = await connectClient(t.baseUrl, { token: t.token() });
      try {
        const updated = nextEvent(client, "conversation:updated", (p) => JSON.parse(p.conversation.attributes).unreadCount === 1);
        const answer = await inbound("+15557000001", "Hi, first time here");
        expect(answer.status).to.equal(200);
        expect(answer.body).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?><Response\/>$/);
        const { conversation } = await updated;
        expect(conversation.friendlyName).to.equal("+15557000001");
        expect(conversation.participants[0].messagingBinding).to.include({ address: "+15557000001", proxyAddress: t.tenants.alpha.phoneNumber });
        expect(conversation.latestMessage).to.include({ body: "Hi, first time here", author: "+15557000001" });
      } finally {
        client.close();
      }
    });

    it("adds later messages to the same conversation, records media, and ignores a redelivered MessageSid", async () => {
      await inbound("+15557000002", "one");
      const MessageSid = smsSid();
      const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5000, 9)]);
      const stored = t.emulator.storeMessagingMedia({ accountSid: t.tenants.alpha.accountSid, messageSid: MessageSid, contentType: "image/jpeg", bytes: photo });
      const params = {
        AccountSid: t.tenants.alpha.accountSid,
        MessageSid,
        From: "+15557000002",
        To: t.tenants.alpha.phoneNumber!,
        Body: "photo",
        NumMedia: "1",
        MediaUrl0: stored.mediaUrl,
        MediaContentType0: "image/jpeg",
      };
      await postSignedForm(t.api(), t.baseUrl, WEBHOOK, params, t.tenants.alpha.authToken);
      await postSignedForm(t.api(), t.baseUrl, WEBHOOK, params, t.tenants.alpha.authToken);
      await t.emulator.whenIdle();
      const conversations = (await t.api().get(CHAT)).body;
      expect(conversations).to.have.length(1);
      const messages = (await t.api().get(`${CHAT}/${conversations[0].sid}/messages?order=asc`)).body;
      expect(messages.map((m: any) => m.body)).to.deep.equal(["one", "photo"]);
      expect(JSON.parse(messages[1].attributes)).to.deep.include({
        channel: "SMS",
        direction: "inbound",
        messageSid: MessageSid,
        numMedia: 1,
        processed: false,
      });
      // The file is copied into Conversations media: the client gets the gateway's URL, never Twilio's.
      expect(messages[1].attributes).not.to.contain("twilio.com");
      expect(messages[1].media[0]).to.include({ contentType: "image/jpeg", size: photo.length });
      const download = await fetch(`${t.baseUrl}${messages[1].media[0].url}`, { headers: { authorization: `Bearer ${t.token()}` } });
      expect(Buffer.from(await download.arrayBuffer()).equals(photo)).to.equal(true);
      expect(JSON.parse(conversations[0].attributes).unreadCount).to.equal(2);
    });

    it("turns a two-file MMS into two conversation messages but one stored SMS listing both files", async () => {
      const MessageSid = smsSid();
      const files = [Buffer.from("%PDF-1.4 one"), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(100)])];
      const [a, b] = files.map((bytes, i) =>
        t.emulator.storeMessagingMedia({ accountSid: t.tenants.alpha.accountSid, messageSid: MessageSid, contentType: i ? "image/jpeg" : "application/pdf", bytes }),
      );
      const params = {
        AccountSid: t.tenants.alpha.accountSid,
        MessageSid,
        From: "+15557000004",
        To: t.tenants.alpha.phoneNumber!,
        Body: "two files",
        NumMedia: "2",
        MediaUrl0: a!.mediaUrl,
        MediaContentType0: "application/pdf",
        MediaUrl1: b!.mediaUrl,
        MediaContentType1: "image/jpeg",
      };
      await postSignedForm(t.api(), t.baseUrl, WEBHOOK, params, t.tenants.alpha.authToken);
      await t.emulator.whenIdle();
      const [conversation] = (await t.api().get(CHAT)).body;
      const messages = (await t.api().get(`${CHAT}/${conversation.sid}/messages?order=asc`)).body;
      expect(messages.map((m: any) => [m.body, m.media?.[0]?.contentType])).to.deep.equal([
        ["two files", "application/pdf"],
        [null, "image/jpeg"],
      ]);
      const stored = (await t.api().get("/api/twilio/sms/stored?phoneNumber=%2B15557000004")).body;
      expect(stored.count).to.equal(1);
      expect(stored.messages[0]).to.include({ numMedia: 2, body: "two files" });
      expect(stored.messages[0].mediaUrls).to.deep.equal([messages[0].media[0].url, messages[1].media[0].url]);
    });

    it("never fetches a MediaUrl that is not one of the tenant's messaging media, and records no URL for it", async () => {
      const MessageSid = smsSid();
      const beta = t.emulator.storeMessagingMedia({ accountSid: t.tenants.beta.accountSid, messageSid: MessageSid, contentType: "image/jpeg", bytes: Buffer.from([0xff, 0xd8, 0xff]) });
      const params = {
        AccountSid: t.tenants.alpha.accountSid,
        MessageSid,
        From: "+15557000003",
        To: t.tenants.alpha.phoneNumber!,
        Body: "look",
        NumMedia: "2",
        MediaUrl0: beta.mediaUrl,
        MediaContentType0: "image/jpeg",
        MediaUrl1: "https://attacker.example/2010-04-01/Accounts/AC/Messages/MM/Media/ME1",
        MediaContentType1: "image/jpeg",
      };
      await postSignedForm(t.api(), t.baseUrl, WEBHOOK, params, t.tenants.alpha.authToken);
      await t.emulator.whenIdle();
      expect(t.emulator.requests.entries.filter((e) => e.path.includes("/Media/"))).to.deep.equal([]);
      const [conversation] = (await t.api().get(CHAT)).body;
      const [message] = (await t.api().get(`${CHAT}/${conversation.sid}/messages`)).body;
      expect(JSON.parse(message.attributes)).to.include({ numMedia: 2, mediaUnavailable: 2 });
      expect(message).not.to.have.property("media");
      expect(message.attributes).not.to.contain("attacker.example");
    });

    it("answers with a <Message> acknowledgement when one is configured", async () => {
      const acked = await startApp({ env: { SMS_ACKNOWLEDGEMENT: "Thanks, we'll reply soon" } });
      try {
        const answer = await postSignedForm(
          acked.api(),
          acked.baseUrl,
          WEBHOOK,
          { AccountSid: acked.tenants.alpha.accountSid, MessageSid: smsSid(), From: "+15557000003", To: acked.tenants.alpha.phoneNumber!, Body: "hi" },
          acked.tenants.alpha.authToken,
        );
        expect(answer.body).to.match(/<Response><Message>Thanks, we(&apos;|')ll reply soon<\/Message><\/Response>$/);
      } finally {
        await acked.close();
      }
    });

    it("starts a new conversation when the sender's was deleted but Twilio still lists it (ParticipantConversations lags)", async () => {
      await inbound("+15557000005", "before");
      await t.emulator.whenIdle();
      const [old] = (await t.api().get(CHAT)).body;
      const gateway = t.app.tenants.get("alpha").gateway;
      const stale = await gateway.findConversationsByAddress("+15557000005");
      expect((await t.api().delete("/twilio/delete_conversation.php", { body: { account_id: "alpha", conversation_sid: old.sid } })).status).to.equal(200);
      // Twilio's index still names the deleted conversation for a moment after the delete.
      gateway.findConversationsByAddress = async () => stale;

      const answer = await inbound("+15557000005", "after the delete");
      await t.emulator.whenIdle();

      expect(answer.status).to.equal(200);
      t.app.cache.clear();
      const conversations = (await t.api().get(CHAT)).body;
      expect(conversations.map((c: any) => c.sid)).not.to.include(old.sid);
      expect(conversations).to.have.length(1);
      expect(conversations[0].latestMessage).to.include({ body: "after the delete", author: "+15557000005" });
    });

    it("refuses a forged signature (403) and a missing one (400), creating nothing", async () => {
      const forged = await postSignedForm(
        t.api(),
        t.baseUrl,
        WEBHOOK,
        { AccountSid: t.tenants.alpha.accountSid, MessageSid: smsSid(), From: "+15557000004", To: t.tenants.alpha.phoneNumber!, Body: "x" },
        "wrong-token-wrong-token-wrong-token",
      );
      expect(forged.status).to.equal(403);
      const missing = await t.api().withToken(null).request("POST", WEBHOOK, {
        rawBody: new URLSearchParams({ AccountSid: t.tenants.alpha.accountSid, MessageSid: smsSid(), From: "+1", To: "+1" }).toString(),
        contentType: "application/x-www-form-urlencoded",
      });
      expect(missing.status).to.equal(400);
      expect((await t.api().get(CHAT)).body).to.deep.equal([]);
    });
  });

  describe("GET /sms/stored", () => {
    it("lists inbound and outbound SMS with filters, and ids that address one message", async () => {
      await inbound("+15557000010", "question?");
      await t.emulator.whenIdle();
      const [conversation] = (await t.api().get(CHAT)).body;
      await t.api().post(`${CHAT}/${conversation.sid}/messages`, { body: "answer!" });
      await t.emulator.whenIdle();
      const all = await t.api().get(STORED);
      expect(all.body.count).to.equal(2);
      expect(all.body.messages.map((m: any) => [m.body, m.direction, m.from, m.to])).to.deep.equal([
        ["answer!", "outbound", t.tenants.alpha.phoneNumber, "+15557000010"],
        ["question?", "inbound", "+15557000010", t.tenants.alpha.phoneNumber],
      ]);
      expect((await t.api().get(`${STORED}?direction=inbound`)).body.messages.map((m: any) => m.body)).to.deep.equal(["question?"]);
      expect((await t.api().get(`${STORED}?phoneNumber=%2B15557000099`)).body.count).to.equal(0);
      const one = await t.api().get(`${STORED}/${all.body.messages[1].id}`);
      expect(one.body).to.deep.equal(all.body.messages[1]);
    });

    it("marks an SMS processed (kept in Twilio), then filters on it", async () => {
      await inbound("+15557000011", "to process");
      await t.emulator.whenIdle();
      const [sms] = (await t.api().get(`${STORED}?processed=false`)).body.messages;
      const marked = await t.api().post(`${STORED}/${sms.id}/mark-processed`, { chatId: "chat-42", responseMessageSid: `SM${"e".repeat(32)}` });
      expect(marked.status).to.equal(200);
      expect(marked.body).to.include({ processed: true, chatId: "chat-42", responseMessageSid: `SM${"e".repeat(32)}` });
      expect(marked.body.processedAt).to.be.a("string");
      t.app.cache.clear();
      expect((await t.api().get(`${STORED}?processed=true`)).body.messages.map((m: any) => m.id)).to.deep.equal([sms.id]);
      expect((await t.api().get(`${STORED}?processed=false`)).body.count).to.equal(0);
    });

    it("400s a malformed id and 404s an unknown one", async () => {
      expect((await t.api().get(`${STORED}/not-an-id`)).status).to.equal(400);
      expect((await t.api().get(`${STORED}/CH${"0".repeat(32)}-IM${"0".repeat(32)}`)).status).to.equal(404);
    });
  });

  describe("GET /status", () => {
    it("reports configuration and balance without any secret", async () => {
      const response = await t.api().get("/api/twilio/status");
      expect(response.status).to.equal(200);
      expect(response.body).to.include({ configured: true, tenant: "alpha", accountSid: t.tenants.alpha.accountSid, reachable: true });
      expect(response.body.balance.currency).to.be.a("string");
      expect(response.text).not.to.contain(t.tenants.alpha.authToken);
      expect(response.text).not.to.contain(t.tenants.alpha.sendgrid!.apiKey);
    });
  });
});
