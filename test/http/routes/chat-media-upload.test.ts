import { execFile } from "node:child_process";
import { expect } from "chai";
import { createConversation, inboundMessage, phoneNumbers } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const phone = phoneNumbers("+1555420");
const MB = 1024 * 1024;

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (size: number) => Buffer.concat([PNG_HEAD, Buffer.alloc(size - PNG_HEAD.length, 3)]);

describe("Media out: POST /conversations/:sid/messages as multipart/form-data", () => {
  let t: TestApp;
  beforeEach(async () => {
    // Short enough for the stalled-upload case to be quick, long enough that a loaded machine never stalls a real upload.
    t = await startApp({ env: { MEDIA_UPLOAD_IDLE_TIMEOUT_MS: "1500" } });
  });
  afterEach(() => t.close());

  /** A customer's WhatsApp conversation (they wrote first). */
  const whatsappConversation = async () => (await inboundMessage(t, { from: phone(), body: "Can you send the invoice?", channel: "WhatsApp" })).conversationSid;

  const send = async (sid: string, parts: Array<[string, string | Blob, string?]>, tenant: "alpha" | "beta" = "alpha") => {
    const form = new FormData();
    for (const [name, value, filename] of parts) {
      if (typeof value === "string") form.append(name, value);
      else form.append(name, value, filename);
    }
    const response = await fetch(`${t.baseUrl}${BASE}/${sid}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.token({ tenants: [tenant] })}` },
      body: form,
    });
    const body: any = await response.json();
    expect(t.app.contract.declaresStatus("sendMessage", response.status), `undeclared ${response.status}: ${JSON.stringify(body)}`).to.equal(true);
    const validate = t.app.contract.responseValidator("sendMessage", response.status);
    if (validate) expect(validate(body), JSON.stringify(validate.errors)).to.equal(true);
    return { status: response.status, body };
  };
  const uploads = () => t.emulator.requests.entries.filter((entry) => entry.method === "POST" && /\/Media$/.test(entry.path));

  describe("when an agent sends an image on WhatsApp", () => {
    it("uploads it to MCS, sends it with MediaSid and text, and the gateway serves it back byte for byte", async () => {
      const sid = await whatsappConversation();
      const image = png(200 * 1024);
      const sent = await send(sid, [["body", "Here is your invoice"], ["file", new Blob([image], { type: "image/png" }), "invoice.png"]]);
      expect(sent.status).to.equal(201);
      expect(sent.body.body).to.equal("Here is your invoice");
      expect(sent.body.media).to.have.length(1);
      expect(sent.body.media[0]).to.include({ contentType: "image/png", filename: "invoice.png", size: image.length });
      expect(JSON.parse(sent.body.attributes)).to.include({ channel: "WhatsApp", status: "queued", direction: "outbound", sentBy: "agent-1" });
      const download = await fetch(`${t.baseUrl}${sent.body.media[0].url}`, { headers: { authorization: `Bearer ${t.token()}` } });
      expect(Buffer.from(await download.arrayBuffer()).equals(image)).to.equal(true);
      await t.emulator.whenIdle();
      const [latest] = (await t.api().get(`${BASE}/${sid}/messages?limit=1`)).body;
      expect(latest.media[0].sid).to.equal(sent.body.media[0].sid);
    });
  });

  describe("when an agent sends three files on SMS", () => {
    it("sends one message per file, the text with the first, and answers the first", async () => {
      const { sid } = await createConversation(t, { phone: phone() });
      const sent = await send(sid, [
        ["body", "Your documents"],
        ["file", new Blob([png(1000)], { type: "image/png" }), "a.png"],
        ["file", new Blob(["%PDF-1.4 tiny"], { type: "application/pdf" }), "b.pdf"],
        ["file", new Blob(["BEGIN:VCARD"], { type: "text/vcard" }), "c.vcf"],
      ]);
      expect(sent.status).to.equal(201);
      expect(sent.body.media[0].filename).to.equal("a.png");
      await t.emulator.whenIdle();
      const messages = (await t.api().get(`${BASE}/${sid}/messages?order=asc`)).body;
      expect(messages.map((m: any) => [m.body, m.media?.[0]?.filename])).to.deep.equal([
        ["Your documents", "a.png"],
        [null, "b.pdf"],
        [null, "c.vcf"],
      ]);
    });
  });

  describe("when an agent sends a file on an Email conversation", () => {
    it("sends it to the contact as a SendGrid attachment and records its name and size on the message", async () => {
      const created = await t.api().post(BASE, { friendlyName: "Katherine", participants: [{ email: "katherine@example.com" }], attributes: { channel: "Email", contactDetails: { email: "katherine@example.com" } } });
      const pdf = Buffer.from("%PDF-1.4 the invoice");
      const sent = await send(created.body.sid, [["body", "Your invoice"], ["file", new Blob([pdf], { type: "application/pdf" }), "invoice.pdf"]]);
      expect(sent.status).to.equal(201);
      const attributes = JSON.parse(sent.body.attributes);
      expect(attributes).to.include({ channel: "Email", status: "sent" });
      expect(attributes.email.attachments).to.deep.equal([{ filename: "invoice.pdf", type: "application/pdf", size: pdf.length }]);
      const [mail] = t.emulator.sendgrid.sentMails;
      expect(mail!.payload.personalizations[0]!.to[0]!.email).to.equal("katherine@example.com");
      const [attachment] = (mail!.payload as { attachments?: Array<{ content: string; filename: string; type: string }> }).attachments!;
      expect(attachment).to.include({ filename: "invoice.pdf", type: "application/pdf" });
      expect(Buffer.from(attachment!.content, "base64").equals(pdf)).to.equal(true);
      expect(uploads()).to.deep.equal([]);
    });
  });

  describe("when a limit is broken", () => {
    const cases: Array<[string, "WhatsApp" | "SMS", Array<[string, Blob, string]>, number, RegExp]> = [
      ["two files on WhatsApp", "WhatsApp", [["file", new Blob([png(100)], { type: "image/png" }), "a.png"], ["file", new Blob([png(100)], { type: "image/png" }), "b.png"]], 400, /at most 1 file/],
      ["an image over WhatsApp's 5 MB", "WhatsApp", [["file", new Blob([png(5 * MB + 1)], { type: "image/png" }), "big.png"]], 413, /5242880/],
      ["a video over WhatsApp's 16 MB", "WhatsApp", [["file", new Blob([Buffer.alloc(16 * MB + 1)], { type: "video/mp4" }), "big.mp4"]], 413, /16777216/],
      ["a type WhatsApp does not take", "WhatsApp", [["file", new Blob(["PK"], { type: "application/zip" }), "a.zip"]], 415, /application\/zip/],
      ["an executable declared as a PNG", "WhatsApp", [["file", new Blob([Buffer.from("MZ\x90\x00 not a png at all")], { type: "image/png" }), "cat.png"]], 415, /not image\/png/],
      ["over 5 MB of files on SMS", "SMS", [["file", new Blob([png(3 * MB)], { type: "image/png" }), "a.png"], ["file", new Blob([png(3 * MB)], { type: "image/png" }), "b.png"]], 413, /5242880 bytes of files/],
      ["eleven files on SMS", "SMS", Array.from({ length: 11 }, (_, i) => ["file", new Blob([png(100)], { type: "image/png" }), `${i}.png`] as [string, Blob, string]), 400, /10 files/],
    ];
    for (const [situation, channel, parts, status, message] of cases) {
      it(`answers ${status} for ${situation}, naming the rule, and uploads nothing`, async () => {
        const sid = channel === "WhatsApp" ? await whatsappConversation() : (await createConversation(t, { phone: phone() })).sid;
        const before = t.emulator.requests.entries.filter((e) => e.method === "POST" && e.path.endsWith("/Messages")).length;
        const sent = await send(sid, parts);
        expect(sent.status).to.equal(status);
        expect(sent.body.error.field).to.equal("file");
        expect(sent.body.error.message).to.match(message);
        expect(uploads()).to.deep.equal([]);
        expect(t.emulator.requests.entries.filter((e) => e.method === "POST" && e.path.endsWith("/Messages")).length).to.equal(before);
      });
    }

    it("answers 400 for a part that is not body, author or file", async () => {
      const sid = await whatsappConversation();
      const sent = await send(sid, [["attributes", "{}"]]);
      expect(sent.status).to.equal(400);
      expect(sent.body.error.field).to.equal("attributes");
    });
  });

  describe("when the conversation belongs to another tenant", () => {
    it("responds 404 and uploads nothing", async () => {
      const sid = await whatsappConversation();
      const sent = await send(sid, [["file", new Blob([png(100)], { type: "image/png" }), "a.png"]], "beta");
      expect(sent.status).to.equal(404);
      expect(uploads()).to.deep.equal([]);
    });
  });

  describe("when the client stops sending in the middle of a file", () => {
    it("answers 408 once MEDIA_UPLOAD_IDLE_TIMEOUT_MS passes, and uploads nothing", async () => {
      const sid = await whatsappConversation();
      const boundary = "slowboundary";
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
      // Sent from a child process: in this one nock holds a request back until it ends.
      const client = `
        const req = require("node:http").request(process.env.URL, { method: "POST", headers: JSON.parse(process.env.HEADERS) });
        req.on("response", (res) => { let text = ""; res.on("data", (c) => (text += c)); res.on("end", () => { console.log(JSON.stringify({ status: res.statusCode, body: JSON.parse(text) })); process.exit(0); }); });
        req.write(process.env.HEAD);
        req.write("%PDF-1.4 " + "x".repeat(1000));
        setTimeout(() => process.exit(1), 5000);`;
      const headers = { authorization: `Bearer ${t.token()}`, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(head.length + 1_000_000) };
      const answer = await new Promise<{ status: number; body: any }>((resolve, reject) =>
        execFile(process.execPath, ["-e", client], { env: { URL: `${t.baseUrl}${BASE}/${sid}/messages`, HEADERS: JSON.stringify(headers), HEAD: head } }, (error, stdout) =>
          error ? reject(error) : resolve(JSON.parse(stdout)),
        ),
      );
      expect(answer.status).to.equal(408);
      expect(answer.body.error.code).to.equal("request_timeout");
      expect(uploads()).to.deep.equal([]);
    });
  });
});
