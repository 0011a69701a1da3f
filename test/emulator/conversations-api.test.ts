import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

describe("Twilio emulator: Conversations REST", () => {
  let f: EmulatorFixture;
  beforeEach(async () => {
    f = await startEmulator();
  });
  afterEach(async () => {
    await f.emulator.stop();
  });

  const createConversation = async (params: Record<string, string> = {}) =>
    (await f.call("POST", "/v1/Conversations", params)).body;

  describe("when the credentials are wrong", () => {
    it("responds 401 with code 20003", async () => {
      const response = await fetch(`${f.emulator.baseUrl}/v1/Conversations`, {
        headers: { authorization: "Basic " + Buffer.from(`${f.accountSid}:nope`).toString("base64") },
      });
      const body = await response.json();
      expect(response.status).to.equal(401);
      expect(body).to.deep.equal({
        code: 20003,
        message: "Authenticate",
        more_info: "https://www.twilio.com/docs/errors/20003",
        status: 401,
      });
    });
  });

  describe("when a service belongs to another account", () => {
    it("responds 404 with code 20404", async () => {
      const other = f.emulator.createAccount();
      const { status, body } = await f.call("GET", `/v1/Services/${other.defaultServiceSid}/Conversations`);
      expect(status).to.equal(404);
      expect(body.code).to.equal(20404);
    });
  });

  describe("when a conversation is fetched by UniqueName", () => {
    it("returns the same conversation, service-scoped or top-level", async () => {
      const created = await createConversation({ UniqueName: "support-1", Attributes: '{"a":1}' });
      const top = await f.call("GET", "/v1/Conversations/support-1");
      const scoped = await f.call("GET", `/v1/Services/${f.serviceSid}/Conversations/${created.sid}`);
      expect(top.body.sid).to.equal(created.sid);
      expect(scoped.body.url).to.equal(
        `https://conversations.twilio.com/v1/Services/${f.serviceSid}/Conversations/${created.sid}`,
      );
      expect(created.sid).to.match(/^CH[0-9a-f]{32}$/);
      expect(created.date_created).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });
  });

  describe("when more conversations exist than fit a page", () => {
    it("pages with absolute URLs and a PageToken in next_page_url", async () => {
      for (let i = 0; i < 5; i += 1) await createConversation({ FriendlyName: `c${i}` });
      const first = await f.call("GET", "/v1/Conversations", { PageSize: "2" });
      expect(first.body.conversations).to.have.length(2);
      expect(first.body.meta.next_page_url).to.match(
        /^https:\/\/conversations\.twilio\.com\/v1\/Conversations\?PageSize=2&Page=1&PageToken=PT/,
      );
      const names: string[] = first.body.conversations.map((c: any) => c.friendly_name);
      let next: string | null = first.body.meta.next_page_url;
      while (next) {
        const url = new URL(next);
        const page = await f.call("GET", url.pathname, Object.fromEntries(url.searchParams));
        names.push(...page.body.conversations.map((c: any) => c.friendly_name));
        next = page.body.meta.next_page_url;
      }
      expect(names).to.deep.equal(["c0", "c1", "c2", "c3", "c4"]);
    });
  });

  describe("when attributes are larger than 16 KB or not JSON", () => {
    it("rejects them with 400", async () => {
      const big = JSON.stringify({ pad: "x".repeat(16 * 1024) });
      const tooBig = await f.call("POST", "/v1/Conversations", { Attributes: big });
      const notJson = await f.call("POST", "/v1/Conversations", { Attributes: "{nope" });
      expect(tooBig.status).to.equal(400);
      expect(tooBig.body.code).to.equal(50303);
      expect(notJson.body.code).to.equal(50304);
    });
  });

  describe("when a conversation is deleted", () => {
    it("removes its participants and messages too", async () => {
      const c = await createConversation();
      await f.call("POST", `/v1/Conversations/${c.sid}/Participants`, { Identity: "agent" });
      const message = (await f.call("POST", `/v1/Conversations/${c.sid}/Messages`, { Body: "x" })).body;
      expect((await f.call("DELETE", `/v1/Conversations/${c.sid}`)).status).to.equal(204);
      const fetched = await f.call("GET", `/v1/Conversations/${c.sid}/Messages/${message.sid}`);
      expect(fetched.status).to.equal(404);
    });
  });

  describe("when the conversations list is filtered by State", () => {
    it("returns only conversations in that state", async () => {
      const closed = await createConversation();
      await createConversation();
      await f.call("POST", `/v1/Conversations/${closed.sid}`, { State: "closed" });
      const { body } = await f.call("GET", "/v1/Conversations", { State: "closed" });
      expect(body.conversations.map((c: any) => c.sid)).to.deep.equal([closed.sid]);
      expect(body.meta.url).to.contain("State=closed");
    });
  });
});
