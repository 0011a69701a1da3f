import { expect } from "chai";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

/** Points the SDK's Twilio hosts at the emulator (the emulator routes by path alone). */
class EmulatorRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }

  override request<T>(opts: RequestClient.RequestOptions<T>) {
    const uri = opts.uri.replace(/^https:\/\/(conversations|api)\.twilio\.com/, this.baseUrl);
    return super.request<T>({ ...opts, uri });
  }
}

describe("Twilio emulator: through the twilio SDK", () => {
  let f: EmulatorFixture;
  let client: twilio.Twilio;
  beforeEach(async () => {
    f = await startEmulator();
    client = twilio(f.accountSid, f.authToken, { httpClient: new EmulatorRequestClient(f.emulator.baseUrl) });
  });
  afterEach(async () => {
    await f.emulator.stop();
  });

  describe("when listing more messages than one page holds", () => {
    it("follows next_page_url across pages", async () => {
      const conversation = await client.conversations.v1.conversations.create({ friendlyName: "sdk" });
      for (let i = 0; i < 5; i += 1) {
        await client.conversations.v1.conversations(conversation.sid).messages.create({ body: `m${i}` });
      }
      const messages = await client.conversations.v1.conversations(conversation.sid).messages.list({ pageSize: 2 });
      expect(messages.map((m) => m.index)).to.deep.equal([0, 1, 2, 3, 4]);
    });
  });

  describe("when a participant is missing", () => {
    it("raises a RestException carrying Twilio's code", async () => {
      const conversation = await client.conversations.v1.conversations.create({});
      try {
        await client.conversations.v1.conversations(conversation.sid).participants("MB00000000000000000000000000000000").fetch();
        expect.fail("expected a RestException");
      } catch (error) {
        expect(error).to.include({ status: 404, code: 50432 });
      }
    });
  });

  describe("when using Api 2010", () => {
    it("creates and lists messages and reads the balance", async () => {
      await client.messages.create({ to: "+15551230000", from: "+15559990000", body: "hello" });
      const listed = await client.messages.list({ to: "+15551230000" });
      const balance = await client.balance.fetch();
      expect(listed).to.have.length(1);
      expect(listed[0]!.status).to.equal("queued");
      expect(balance.currency).to.equal("USD");
    });
  });
});
