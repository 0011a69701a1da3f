import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { connectClient, nextEvent, subscribe } from "../../support/connect-client.js";
import { inboundMessage, phoneNumbers } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const phone = phoneNumbers("+1555410");

describe("Media in (chat API)", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  /** A download through the gateway, its status checked against the contract. */
  const download = async (path: string, tenant: "alpha" | "beta" = "alpha") => {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${t.token({ tenants: [tenant] })}` } });
    expect(t.app.contract.declaresStatus("getMessageMedia", response.status), `undeclared ${response.status}`).to.equal(true);
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  };

  const photo = randomBytes(300 * 1024);
  const customerPhoto = async (from = phone()) => {
    const sent = await inboundMessage(t, { from, body: "", channel: "WhatsApp", media: [{ contentType: "image/jpeg", filename: "damage.jpg", bytes: photo }] });
    const [message] = (await t.api().get(`${BASE}/${sent.conversationSid}/messages?limit=1`)).body;
    return { sent, message };
  };

  describe("when a customer sends a photo on WhatsApp", () => {
    it("lists it on the message with the gateway's download URL, and the download is the same bytes", async () => {
      const { sent, message } = await customerPhoto();
      expect(message.media).to.have.length(1);
      const [media] = message.media;
      expect(media).to.include({ contentType: "image/jpeg", filename: "damage.jpg", size: photo.length });
      expect(media.url).to.equal(`${BASE}/${sent.conversationSid}/messages/${sent.messageSid}/media/${media.sid}`);
      const file = await download(media.url);
      expect(file.status).to.equal(200);
      expect(file.headers.get("content-type")).to.equal("image/jpeg");
      expect(file.headers.get("content-disposition")).to.match(/^inline; filename="damage\.jpg"/);
      expect(file.headers.get("cache-control")).to.equal("private, no-store");
      expect(file.bytes.equals(photo)).to.equal(true);
    });

    it("carries the same media on the socket's message:received", async () => {
      const from = phone();
      const first = await inboundMessage(t, { from, body: "hello", channel: "WhatsApp" });
      const client = await connectClient(t.baseUrl, { token: t.token() });
      try {
        await subscribe(client, first.conversationSid);
        const received = nextEvent(client, "message:received", (payload) => payload.message.media !== undefined);
        await inboundMessage(t, { from, body: "", channel: "WhatsApp", media: [{ contentType: "audio/ogg", filename: "note.ogg", size: 5000 }], waitForWebhooks: false });
        const { message } = await received;
        expect(message.media[0]).to.include({ contentType: "audio/ogg", filename: "note.ogg", size: 5000 });
        expect(message.media[0].url).to.match(/^\/api\/v1\/chat\/conversations\/CH[0-9a-f]{32}\/messages\/IM[0-9a-f]{32}\/media\/ME[0-9a-f]{32}$/);
      } finally {
        client.close();
      }
    });

    it("never shows a Twilio URL or credential to the client", async () => {
      const { message } = await customerPhoto();
      const file = await download(message.media[0].url);
      const everything = JSON.stringify(message) + JSON.stringify([...file.headers]);
      expect(everything).not.to.match(/twilio\.com|Signature=|Expires=/);
      expect(everything).not.to.contain(t.tenants.alpha.authToken);
    });

    it("shows as an image in the organization inbox, as media in the PHP-compatible thread and in the stored SMS", async () => {
      const from = phone();
      const { sent, message } = await customerPhoto(from);
      const org = await t.api().get(`/api/v1/conversations/alpha/phone/${encodeURIComponent(from)}`);
      expect(org.status).to.equal(200);
      const orgMessage = org.body.messages.find((m: { id: string }) => m.id === sent.messageSid);
      expect(orgMessage.message_type).to.equal("image");
      expect(orgMessage.metadata.media_urls).to.deep.equal([message.media[0].url]);
      const php = await t.api().get(`/twilio/list_messages.php?account_id=alpha&conversation_sid=${sent.conversationSid}`);
      const phpMessage = php.body.data.messages.find((m: { sid: string }) => m.sid === sent.messageSid);
      expect(phpMessage.media).to.deep.equal([{ sid: message.media[0].sid, content_type: "image/jpeg", filename: "damage.jpg", size: photo.length, url: message.media[0].url }]);
      const stored = await t.api().get(`/api/twilio/sms/stored/${sent.conversationSid}-${sent.messageSid}`);
      expect(stored.body).to.include({ numMedia: 1 });
      expect(stored.body.mediaUrls).to.deep.equal([message.media[0].url]);
    });
  });

  describe("when another tenant asks for the media", () => {
    it("responds 404 and streams nothing", async () => {
      const { message } = await customerPhoto();
      const file = await download(message.media[0].url, "beta");
      expect(file.status).to.equal(404);
      expect(file.bytes.includes(photo.subarray(0, 64))).to.equal(false);
    });
  });

  describe("when the media SID is not one of the message's", () => {
    it("responds 404, even for a media SID of the same tenant", async () => {
      const { sent } = await customerPhoto();
      const other = await customerPhoto();
      const mediaSid = other.message.media[0].sid;
      const file = await download(`${BASE}/${sent.conversationSid}/messages/${sent.messageSid}/media/${mediaSid}`);
      expect(file.status).to.equal(404);
    });
  });

  describe("when the media SID is malformed", () => {
    it("responds 400 naming it, without calling Twilio", async () => {
      const { sent } = await customerPhoto();
      t.upstreamCalls.length = 0;
      const file = await download(`${BASE}/${sent.conversationSid}/messages/${sent.messageSid}/media/ME..%2F..%2Fsecret`);
      expect(file.status).to.equal(400);
      expect(JSON.parse(file.bytes.toString()).error.field).to.equal("mediaSid");
      expect(t.upstreamCalls).to.deep.equal([]);
    });
  });
});
