import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";
import { startReceiver } from "./webhook-receiver.js";

// Media Content Service, as "Conversations Media Resource" (https://www.twilio.com/docs/conversations/api/media-resource)
// and "Media Support in Conversations" describe it. MCS is not in Twilio's OpenAPI files.
describe("Twilio emulator: Media Content Service", () => {
  let f: EmulatorFixture;
  let auth: string;
  beforeEach(async () => {
    f = await startEmulator();
    auth = "Basic " + Buffer.from(`${f.accountSid}:${f.authToken}`).toString("base64");
  });
  afterEach(() => f.emulator.stop());

  type Answer = { status: number; json(): Promise<any>; headers: Headers; arrayBuffer(): Promise<ArrayBuffer> };
  const upload = (body: Buffer, contentType: string, serviceSid = f.serviceSid, authorization = auth): Promise<Answer> =>
    fetch(`${f.emulator.baseUrl}/v1/Services/${serviceSid}/Media`, { method: "POST", headers: { authorization, "content-type": contentType }, body });
  const get = (path: string, authorization = auth): Promise<Answer> => fetch(`${f.emulator.baseUrl}${path}`, { headers: { authorization } });
  /** The emulator serves Twilio's hosts on its own base URL. */
  const local = (url: string) => url.replace(/^https:\/\/[a-z0-9.]+\.twilio\.com/, f.emulator.baseUrl);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(2048, 7)]);

  describe("when a file is uploaded as the raw body", () => {
    it("answers 201 with Twilio's fields, and the fetch gives a direct link serving the same bytes without credentials", async () => {
      const created = await upload(png, "image/png");
      expect(created.status).to.equal(201);
      const media = await created.json();
      expect(media).to.include({ service_sid: f.serviceSid, size: png.length, content_type: "image/png", filename: null, category: "media", message_sid: null, channel_sid: null });
      expect(media.sid).to.match(/^ME[0-9a-f]{32}$/);
      expect(media.url).to.equal(`/v1/Services/${f.serviceSid}/Media/${media.sid}`);
      expect(media.links.content).to.equal(`${media.url}/Content`);
      expect(media.links).not.to.have.property("content_direct_temporary");

      const fetched = await (await get(media.url)).json();
      expect(fetched.links.content_direct_temporary).to.match(/^https:\/\/media\.us1\.twilio\.com\/ME[0-9a-f]{32}\?Expires=\d+&Signature=[0-9a-f]+$/);
      const direct = await fetch(local(fetched.links.content_direct_temporary));
      expect(direct.status).to.equal(200);
      expect(direct.headers.get("content-type")).to.equal("image/png");
      expect(Buffer.from(await direct.arrayBuffer()).equals(png)).to.equal(true);
      const content = await get(media.links.content);
      expect(Buffer.from(await content.arrayBuffer()).equals(png)).to.equal(true);
    });
  });

  describe("when a file is uploaded as a multipart part", () => {
    it("keeps the part's filename and type", async () => {
      const form = new FormData();
      form.append("Media", new Blob([png], { type: "image/png" }), "receipt.png");
      // fetch writes the multipart Content-Type (with its boundary) itself
      const response = await fetch(`${f.emulator.baseUrl}/v1/Services/${f.serviceSid}/Media`, { method: "POST", headers: { authorization: auth }, body: form });
      const created = (await response.json()) as Record<string, unknown>;
      expect(response.status).to.equal(201);
      expect(created).to.include({ filename: "receipt.png", content_type: "image/png", size: png.length });
    });
  });

  describe("when a direct link is tampered with", () => {
    it("answers 403", async () => {
      const media = await (await upload(png, "image/png")).json();
      const link: string = (await (await get(media.url)).json()).links.content_direct_temporary;
      // Change the signature's first character to another one (a fixed "0" left one link in sixteen untouched).
      const tampered = link.replace(/Signature=(.)/, (_, first: string) => `Signature=${first === "0" ? "1" : "0"}`);
      expect(tampered).not.to.equal(link);
      expect((await fetch(local(tampered))).status).to.equal(403);
      expect((await fetch(local(link.replace(/Expires=\d+/, "Expires=1")))).status).to.equal(403);
    });
  });

  describe("when another account asks for the media", () => {
    it("answers 404, on its own service and on the owner's", async () => {
      const media = await (await upload(png, "image/png")).json();
      const other = f.emulator.createAccount();
      const otherAuth = "Basic " + Buffer.from(`${other.accountSid}:${other.authToken}`).toString("base64");
      expect((await get(`/v1/Services/${other.defaultServiceSid}/Media/${media.sid}`, otherAuth)).status).to.equal(404);
      expect((await get(media.url, otherAuth)).status).to.equal(404);
      expect((await get(`${media.url}/Content`, otherAuth)).status).to.equal(404);
    });
  });

  describe("when a message is created with a MediaSid", () => {
    it("carries the media as Twilio's message JSON does, and the Media resource names its message", async () => {
      const conversation = (await f.call("POST", "/v1/Conversations", {})).body;
      const media = await (await upload(png, "image/png")).json();
      const message = await f.call("POST", `/v1/Conversations/${conversation.sid}/Messages`, { MediaSid: media.sid });
      expect(message.status).to.equal(201);
      expect(message.body.body).to.equal(null);
      expect(message.body.media).to.deep.equal([{ sid: media.sid, content_type: "image/png", filename: null, size: png.length, category: "media" }]);
      const fetched = await (await get(media.url)).json();
      expect(fetched).to.include({ message_sid: message.body.sid, channel_sid: conversation.sid });
    });

    it("refuses another service's media with 404", async () => {
      const conversation = (await f.call("POST", "/v1/Conversations", {})).body;
      const otherService = f.emulator.createService(f.accountSid, "other").serviceSid;
      const media = await (await upload(png, "image/png", otherService)).json();
      const message = await f.call("POST", `/v1/Conversations/${conversation.sid}/Messages`, { MediaSid: media.sid });
      expect(message.status).to.equal(404);
    });

    it("refuses an image over WhatsApp's 5 MB with 50512", async () => {
      const conversation = (await f.call("POST", "/v1/Conversations", {})).body;
      await f.call("POST", `/v1/Conversations/${conversation.sid}/Participants`, {
        "MessagingBinding.Address": "whatsapp:+15005550123",
        "MessagingBinding.ProxyAddress": "whatsapp:+15005550199",
      });
      const big = await (await upload(Buffer.alloc(5 * 1024 * 1024 + 1), "image/jpeg")).json();
      const message = await f.call("POST", `/v1/Conversations/${conversation.sid}/Messages`, { MediaSid: big.sid });
      expect(message.status).to.equal(400);
      expect(message.body.code).to.equal(50512);
    });
  });

  describe("when a customer's message with media is simulated", () => {
    it("stores the file in MCS and onMessageAdded carries Media with Twilio's keys", async () => {
      const receiver = await startReceiver();
      f.emulator.configureWebhooks(f.accountSid, f.serviceSid, { postWebhookUrl: receiver.url, filters: ["onMessageAdded"] });
      const result = await f.emulator.simulateInboundMessage({
        accountSid: f.accountSid,
        from: "whatsapp:+15005550123",
        to: "whatsapp:+15005550199",
        body: "",
        media: [{ contentType: "audio/ogg", filename: "voice.ogg", size: 1000 }],
      });
      await f.emulator.whenIdle();
      await receiver.close();
      const [hook] = receiver.received;
      const [item] = JSON.parse(hook!.params.Media!);
      expect(item).to.deep.include({ ContentType: "audio/ogg", Filename: "voice.ogg", Size: 1000 });
      expect(hook!.params).not.to.have.property("Body");
      const fetched = await (await get(`/v1/Services/${f.serviceSid}/Media/${item.Sid}`)).json();
      expect(fetched).to.include({ message_sid: result.messageSid, channel_sid: result.conversationSid, size: 1000 });
    });
  });
});
