import type { ServerResponse } from "node:http";
import { expect } from "chai";
import { inboundMessage, phoneNumbers } from "../support/conversation-fixtures.js";
import { startHttpsTestServer, testCertificate, type HttpsTestServer } from "../support/https-test-server.js";
import { startApp, type TestApp } from "../support/start-app.js";
import { OPENSSL, requireSystemProgram } from "../support/system-programs.js";

/** The smallest PNG: a 1×1 transparent pixel. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
const PDF = Buffer.from("%PDF-1.4\n% an invoice\n");
const MB = 1024 * 1024;
const phone = phoneNumbers("+1555730");

/**
 * POST /api/messages with a media URL, end to end: the gateway fetches the file from an https server on loopback
 * (reached as media.test, allowed by MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES=127.0.0.1/32 and its port by
 * MEDIA_FETCH_ALLOWED_PORTS) and sends it through Twilio (the emulator) as the chat API sends an upload.
 */
describe("business API: POST /api/messages with content.mediaUrl", function () {
  this.timeout(60_000);
  let t: TestApp;
  let files: HttpsTestServer;
  let serve: (path: string, res: ServerResponse) => void;
  const resolved: string[] = [];

  before(async function () {
    requireSystemProgram(this, OPENSSL);
    files = await startHttpsTestServer((req, res) => serve(req.url ?? "", res));
    t = await startApp({
      env: { MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32", MEDIA_FETCH_ALLOWED_PORTS: String(files.port) },
      mediaFetch: {
        ca: testCertificate().cert,
        resolve: async (hostname) => {
          resolved.push(hostname);
          if (hostname === "media.test") return [{ address: "127.0.0.1", family: 4 }];
          if (hostname === "intranet.test") return [{ address: "93.184.215.14", family: 4 }, { address: "10.0.0.7", family: 4 }];
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
        },
      },
    });
  });
  after(async () => {
    await t?.close();
    await files?.close();
  });
  beforeEach(() => {
    serve = (path, res) => {
      if (path.endsWith(".pdf")) {
        res.writeHead(200, { "content-type": "application/pdf" });
        return res.end(PDF);
      }
      res.writeHead(200, { "content-type": "image/png" });
      res.end(PNG);
    };
  });

  const url = (path: string, host = "media.test") => `https://${host}:${files.port}${path}`;
  const mcsUploads = () => t.emulator.requests.entries.filter((entry) => entry.method === "POST" && /\/Media$/.test(entry.path)).length;
  const conversationsOf = async () => (await t.api().get("/api/conversations")).body.data.pagination.total as number;

  describe("when an image is sent by URL to a new number on SMS (the frontend's shape)", () => {
    it("fetches it, uploads it to Twilio and sends it with the caption: the chat API lists it and serves the same bytes", async () => {
      const to = phone();
      const uploadsBefore = mcsUploads();
      const sent = await t.api().post("/api/messages", { to, type: "image", channel: "sms", content: { mediaUrl: url("/pics/check.png"), caption: "Check this out" } });
      expect(sent.status, sent.text).to.equal(201);
      const message = sent.body.data;
      expect(message).to.include({ type: "IMAGE", channel: "SMS", direction: "OUTBOUND", to, status: "SENT" });
      expect(message.content).to.include({ caption: "Check this out", contentType: "image/png" });
      expect(mcsUploads() - uploadsBefore).to.equal(1);

      // The chat API: the conversation's messages carry the file, downloadable byte for byte.
      await t.emulator.whenIdle();
      const listed = (await t.api().get(`/api/v1/chat/conversations/${message.conversationId}/messages`)).body;
      expect(listed).to.have.length(1);
      expect(listed[0].body).to.equal("Check this out");
      expect(listed[0].media).to.have.length(1);
      expect(listed[0].media[0]).to.include({ contentType: "image/png", filename: "check.png", size: PNG.length });
      expect(message.content.mediaUrl).to.equal(listed[0].media[0].url);
      const download = await fetch(`${t.baseUrl}${listed[0].media[0].url}`, { headers: { authorization: `Bearer ${t.token()}` } });
      expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).to.equal(true);

      // The business API's own views agree.
      expect((await t.api().get(`/api/messages/${message.id}`)).body.data).to.deep.include({ type: "IMAGE", content: message.content });
      expect(files.requests.at(-1)!.headers).to.not.have.any.keys("cookie", "authorization");
    });
  });

  describe("when a document is sent by URL into a customer's WhatsApp conversation", () => {
    it("sends it in that conversation, within the customer's window", async () => {
      const customer = phone();
      const { conversationSid } = await inboundMessage(t, { from: customer, body: "Can I have the invoice?", channel: "WhatsApp" });
      const sent = await t.api().post("/api/messages", { to: customer, type: "document", content: { mediaUrl: url("/invoice.pdf") } });
      expect(sent.status, sent.text).to.equal(201);
      expect(sent.body.data).to.include({ type: "DOCUMENT", channel: "WhatsApp", conversationId: conversationSid });
      expect(sent.body.data.content).to.include({ contentType: "application/pdf" });
    });

    it("refuses an image over WhatsApp's 5 MB for images (413), read no further than the limit, and sends nothing", async () => {
      const customer = phone();
      await inboundMessage(t, { from: customer, body: "Send me the photo", channel: "WhatsApp" });
      let finished: boolean | undefined;
      serve = (_path, res) => {
        res.writeHead(200, { "content-type": "image/png" });
        const chunk = Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(64 * 1024 - 8)]);
        let written = 0;
        const write = () => {
          // Far more than socket buffers hold: the server can finish only if the gateway reads it all.
          while (written < 64 * MB) {
            written += chunk.length;
            if (!res.write(chunk)) return res.once("drain", write);
          }
          res.end();
        };
        res.once("close", () => (finished = res.writableFinished));
        write();
      };
      const uploadsBefore = mcsUploads();
      const sent = await t.api().post("/api/messages", { to: customer, type: "image", content: { mediaUrl: url("/huge.png") } });
      expect(sent.status, sent.text).to.equal(413);
      expect(sent.body).to.deep.include({ success: false, error: "payload_too_large: content/mediaUrl" });
      expect(sent.body.message).to.match(/more than 5242880 bytes/);
      expect(mcsUploads()).to.equal(uploadsBefore);
      for (let i = 0; i < 100 && finished === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(finished, "the file server could not send it all").to.equal(false);
    });

    it("answers 409 for a new WhatsApp number (no window for a file), opens no conversation and fetches nothing", async () => {
      const before = await conversationsOf();
      const requests = files.requests.length;
      const sent = await t.api().post("/api/messages", { to: phone(), type: "image", content: { mediaUrl: url("/a.png") } });
      expect(sent.status, sent.text).to.equal(409);
      expect(await conversationsOf()).to.equal(before);
      expect(files.requests.length).to.equal(requests);
    });
  });

  describe("when the URL is refused", () => {
    const refused: Array<[string, () => string, RegExp]> = [
      ["an http URL", () => `http://media.test:${files.port}/a.png`, /must be an https URL/],
      ["the cloud metadata address", () => "https://169.254.169.254/latest/meta-data/iam/", /resolves to a private or reserved address/],
      ["a name whose DNS answer includes a private address", () => url("/a.png", "intranet.test"), /^content\.mediaUrl resolves to a private or reserved address$/],
      ["credentials in the URL", () => `https://me:pw@media.test:${files.port}/a.png`, /must not carry credentials/],
    ];
    for (const [situation, mediaUrl, reason] of refused) {
      it(`refuses ${situation}: 400 naming content/mediaUrl, no connection, nothing asked of Twilio`, async () => {
        const connections = files.connections;
        const calls = t.upstreamCalls.length;
        const sent = await t.api().post("/api/messages", { to: phone(), type: "image", channel: "sms", content: { mediaUrl: mediaUrl() } });
        expect(sent.status, sent.text).to.equal(400);
        expect(sent.body.error).to.equal("validation_failed: content/mediaUrl");
        expect(sent.body.message).to.match(reason);
        expect(files.connections).to.equal(connections);
        expect(t.upstreamCalls.slice(calls)).to.deep.equal([]);
      });
    }

    it("refuses a media type without content.mediaUrl (400)", async () => {
      const sent = await t.api().post("/api/messages", { to: phone(), type: "video", channel: "sms", content: { caption: "no file" } });
      expect(sent.status).to.equal(400);
      expect(sent.body.error).to.equal("validation_failed: content/mediaUrl");
    });
  });

  describe("when the URL serves something else", () => {
    it("refuses a PDF sent as an image (415) and opens no conversation", async () => {
      const before = await conversationsOf();
      const sent = await t.api().post("/api/messages", { to: phone(), type: "image", channel: "sms", content: { mediaUrl: url("/invoice.pdf") } });
      expect(sent.status, sent.text).to.equal(415);
      expect(sent.body.error).to.equal("unsupported_media_type: content/mediaUrl");
      expect(await conversationsOf()).to.equal(before);
    });

    it("refuses a file whose first bytes are not its declared type (415)", async () => {
      serve = (_path, res) => {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(Buffer.from("MZ\x90\x00 an executable"));
      };
      const sent = await t.api().post("/api/messages", { to: phone(), type: "image", channel: "sms", content: { mediaUrl: url("/a.png") } });
      expect(sent.status, sent.text).to.equal(415);
      expect(sent.body.message).to.equal("the file's content is not image/png");
    });

    it("answers 502 when the URL's server answers 404, and opens no conversation", async () => {
      serve = (_path, res) => {
        res.writeHead(404);
        res.end();
      };
      const before = await conversationsOf();
      const sent = await t.api().post("/api/messages", { to: phone(), type: "image", channel: "sms", content: { mediaUrl: url("/gone.png") } });
      expect(sent.status, sent.text).to.equal(502);
      expect(sent.body.message).to.equal("the media URL could not be fetched: it answered 404");
      expect(await conversationsOf()).to.equal(before);
    });
  });
});
