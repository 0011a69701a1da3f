import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

// Api 2010's Media subresource (https://www.twilio.com/docs/api/rest/media): a Messaging webhook's MediaUrl is the
// Media resource's URI without `.json`, which answers the file itself.
describe("Twilio emulator: messaging media (a webhook's MediaUrl)", () => {
  let f: EmulatorFixture;
  beforeEach(async () => {
    f = await startEmulator();
  });
  afterEach(() => f.emulator.stop());

  const get = (url: string, accountSid = f.accountSid, token = f.authToken) =>
    fetch(url.replace("https://api.twilio.com", f.emulator.baseUrl), { headers: { authorization: "Basic " + Buffer.from(`${accountSid}:${token}`).toString("base64") } });
  const messageSid = `MM${"1".repeat(32)}`;

  describe("when the account fetches its own media", () => {
    it("answers the bytes with their content type", async () => {
      const bytes = Buffer.from("%PDF-1.4 statement");
      const { mediaUrl } = f.emulator.storeMessagingMedia({ accountSid: f.accountSid, messageSid, contentType: "application/pdf", bytes });
      expect(mediaUrl).to.match(new RegExp(`^https://api\\.twilio\\.com/2010-04-01/Accounts/${f.accountSid}/Messages/${messageSid}/Media/ME[0-9a-f]{32}$`));
      const response = await get(mediaUrl);
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.equal("application/pdf");
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).to.equal(true);
    });
  });

  describe("when another account, or no credential, asks", () => {
    it("answers 404, or 401", async () => {
      const { mediaUrl } = f.emulator.storeMessagingMedia({ accountSid: f.accountSid, messageSid, contentType: "image/png", bytes: Buffer.from("png") });
      const other = f.emulator.createAccount();
      expect((await get(mediaUrl.replace(f.accountSid, other.accountSid), other.accountSid, other.authToken)).status).to.equal(404);
      expect((await fetch(mediaUrl.replace("https://api.twilio.com", f.emulator.baseUrl))).status).to.equal(401);
    });
  });
});
