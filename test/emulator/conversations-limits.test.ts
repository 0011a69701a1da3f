import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

// Twilio's "Conversations Limits" page: conversation attributes 16KB, message and participant attributes 4KB,
// FriendlyName 256 characters, SMS/WhatsApp body 1600 characters.
describe("Twilio emulator: Conversations limits", () => {
  let f: EmulatorFixture;
  let conversationSid: string;
  beforeEach(async () => {
    f = await startEmulator();
    conversationSid = (await f.call("POST", "/v1/Conversations", {})).body.sid;
  });
  afterEach(() => f.emulator.stop());

  const attributesOf = (bytes: number) => JSON.stringify({ pad: "x".repeat(bytes - 10) });

  describe("when message attributes are over 4 KB", () => {
    it("refuses them with 50303 and adds no message", async () => {
      const refused = await f.call("POST", `/v1/Conversations/${conversationSid}/Messages`, { Body: "hi", Attributes: attributesOf(4097) });
      expect(refused.status).to.equal(400);
      expect(refused.body.code).to.equal(50303);
      const fits = await f.call("POST", `/v1/Conversations/${conversationSid}/Messages`, { Body: "hi", Attributes: attributesOf(4096) });
      expect(fits.status).to.equal(201);
      const list = await f.call("GET", `/v1/Conversations/${conversationSid}/Messages`);
      expect(list.body.messages).to.have.length(1);
    });
  });

  describe("when participant attributes are over 4 KB", () => {
    it("refuses them with 50303", async () => {
      const refused = await f.call("POST", `/v1/Conversations/${conversationSid}/Participants`, { Identity: "agent", Attributes: attributesOf(4097) });
      expect(refused.status).to.equal(400);
      expect(refused.body.code).to.equal(50303);
    });
  });

  describe("when conversation attributes are between 4 KB and 16 KB", () => {
    it("accepts them, and refuses 16 KB + 1 with 50303", async () => {
      const fits = await f.call("POST", `/v1/Conversations/${conversationSid}`, { Attributes: attributesOf(16 * 1024) });
      expect(fits.status).to.equal(200);
      const refused = await f.call("POST", `/v1/Conversations/${conversationSid}`, { Attributes: attributesOf(16 * 1024 + 1) });
      expect(refused.body.code).to.equal(50303);
    });
  });

  describe("when a FriendlyName is over 256 characters", () => {
    it("refuses it with 50003 on create and update", async () => {
      const created = await f.call("POST", "/v1/Conversations", { FriendlyName: "n".repeat(257) });
      expect(created.status).to.equal(400);
      expect(created.body.code).to.equal(50003);
      const updated = await f.call("POST", `/v1/Conversations/${conversationSid}`, { FriendlyName: "é".repeat(257) });
      expect(updated.body.code).to.equal(50003);
      expect((await f.call("POST", `/v1/Conversations/${conversationSid}`, { FriendlyName: "é".repeat(256) })).status).to.equal(200);
    });
  });

  describe("when a body is over 1600 characters", () => {
    it("refuses it with 50504", async () => {
      const refused = await f.call("POST", `/v1/Conversations/${conversationSid}/Messages`, { Body: "b".repeat(1601) });
      expect(refused.body.code).to.equal(50504);
    });
  });
});
