import { expect } from "chai";
import { startApp } from "../support/start-app.js";
import { createTwilioSpecChecker } from "../support/twilio-spec.js";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/;
const AUTHENTICATE = { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 };

describe("Twilio emulator: API keys", () => {
  const checker = createTwilioSpecChecker();
  let f: EmulatorFixture;
  let problems: string[];
  beforeEach(async () => {
    f = await startEmulator();
    problems = [];
    f.emulator.onExchange((exchange) => problems.push(...checker.checkResponse(exchange), ...checker.checkRequestParams(exchange)));
  });
  afterEach(async () => {
    await f.emulator.stop();
    expect(problems, "exchanges that break Twilio's OpenAPI description").to.deep.equal([]);
  });

  const keysPath = (accountSid: string) => `/2010-04-01/Accounts/${accountSid}/Keys.json`;

  describe("POST /2010-04-01/Accounts/{AccountSid}/Keys.json", () => {
    describe("when called with the account's auth token", () => {
      it("responds 201 with the new key: sid, friendly_name, RFC 2822 dates and the secret", async () => {
        const { status, body } = await f.call("POST", keysPath(f.accountSid), { FriendlyName: "gateway" });
        expect(status).to.equal(201);
        expect(body).to.have.all.keys("sid", "friendly_name", "date_created", "date_updated", "secret");
        expect(body.sid).to.match(/^SK[0-9a-f]{32}$/);
        expect(body.friendly_name).to.equal("gateway");
        expect(body.date_created).to.match(RFC_2822);
        expect(body.date_updated).to.equal(body.date_created);
        expect(body.secret).to.match(/^[A-Za-z0-9]{32}$/);
      });
    });

    describe("when no FriendlyName is given", () => {
      it("creates the key with a null friendly_name", async () => {
        const { status, body } = await f.call("POST", keysPath(f.accountSid));
        expect(status).to.equal(201);
        expect(body.friendly_name).to.equal(null);
      });
    });

    describe("when called with an API key (a Standard key, which may not manage keys)", () => {
      it("responds 401 with code 20003", async () => {
        const key = f.emulator.createApiKey(f.accountSid);
        const { status, body } = await f.callAs(key.sid, key.secret)("POST", keysPath(f.accountSid), { FriendlyName: "x" });
        expect(status).to.equal(401);
        expect(body).to.deep.equal(AUTHENTICATE);
      });
    });
  });

  describe("when a Conversations v1 call authenticates with an API key", () => {
    it("acts on the key's account", async () => {
      const { sid, secret } = (await f.call("POST", keysPath(f.accountSid), { FriendlyName: "v1" })).body;
      const other = f.emulator.createAccount();
      const asKey = f.callAs(sid, secret);
      const created = await asKey("POST", "/v1/Conversations", { FriendlyName: "through a key" });
      expect(created.status).to.equal(201);
      expect(created.body.account_sid).to.equal(f.accountSid);
      expect(created.body.chat_service_sid).to.equal(f.serviceSid);
      const listed = await f.call("GET", "/v1/Conversations");
      expect(listed.body.conversations.map((c: { sid: string }) => c.sid)).to.deep.equal([created.body.sid]);
      const otherListed = await f.callAs(other.accountSid, other.authToken)("GET", "/v1/Conversations");
      expect(otherListed.body.conversations).to.deep.equal([]);
    });
  });

  describe("when an Api 2010 call with an API key names the key's account", () => {
    it("answers as with the auth token", async () => {
      const key = f.emulator.createApiKey(f.accountSid);
      const { status, body } = await f.callAs(key.sid, key.secret)("GET", `/2010-04-01/Accounts/${f.accountSid}/Balance.json`);
      expect(status).to.equal(200);
      expect(body.account_sid).to.equal(f.accountSid);
    });
  });

  describe("when the secret is wrong", () => {
    it("responds 401 with code 20003", async () => {
      const key = f.emulator.createApiKey(f.accountSid);
      const { status, body } = await f.callAs(key.sid, `${key.secret}x`)("GET", "/v1/Conversations");
      expect(status).to.equal(401);
      expect(body).to.deep.equal(AUTHENTICATE);
    });
  });

  describe("when the key SID is unknown", () => {
    it("responds 401 with code 20003", async () => {
      const { status, body } = await f.callAs(`SK${"0".repeat(32)}`, "secret")("GET", "/v1/Conversations");
      expect(status).to.equal(401);
      expect(body).to.deep.equal(AUTHENTICATE);
    });
  });

  describe("when a key of account A acts on /2010-04-01/Accounts/B/…", () => {
    it("responds 404 with code 20404, as A's auth token does, and sends nothing", async () => {
      const b = f.emulator.createAccount();
      const key = f.emulator.createApiKey(f.accountSid);
      const form = { To: "+15551230000", From: "+15559990000", Body: "hi" };
      const withKey = await f.callAs(key.sid, key.secret)("POST", `/2010-04-01/Accounts/${b.accountSid}/Messages.json`, form);
      const withToken = await f.call("POST", `/2010-04-01/Accounts/${b.accountSid}/Messages.json`, form);
      expect(withKey.status).to.equal(404);
      expect(withKey.body.code).to.equal(20404);
      expect(withToken.status).to.equal(withKey.status);
      expect(withToken.body.code).to.equal(withKey.body.code);
      const listed = await f.callAs(b.accountSid, b.authToken)("GET", `/2010-04-01/Accounts/${b.accountSid}/Messages.json`);
      expect(listed.body.messages).to.deep.equal([]);
    });
  });

  describe("when the key SID is put where the AccountSid goes (an SDK built without accountSid)", () => {
    it("responds 404 with code 20404, as Twilio does", async () => {
      const key = f.emulator.createApiKey(f.accountSid);
      const { status, body } = await f.callAs(key.sid, key.secret)("GET", `/2010-04-01/Accounts/${key.sid}/Balance.json`);
      expect(status).to.equal(404);
      expect(body.code).to.equal(20404);
    });
  });

  describe("when the account is unknown to createApiKey", () => {
    it("throws 20404", () => {
      expect(() => f.emulator.createApiKey(`AC${"0".repeat(32)}`)).to.throw(/not found/);
    });
  });
});

describe("gateway on the emulator with TWILIO_API_KEY + TWILIO_API_SECRET", () => {
  describe("when the tenants authenticate with API keys", () => {
    it("lists and creates conversations, every Twilio call made with the key", async () => {
      const t = await startApp({ twilioApiKeys: true });
      try {
        const created = await t.api().post("/api/v1/chat/conversations", {
          friendlyName: "Keyed",
          participants: [{ phoneNumber: "+15551234567" }],
        });
        expect(created.status, created.text).to.equal(201);
        const listed = await t.api().get("/api/v1/chat/conversations");
        expect(listed.status, listed.text).to.equal(200);
        expect(listed.body.map((c: { sid: string }) => c.sid)).to.include(created.body.sid);

        const usernames = new Set(
          t.emulator.requests.entries.map((e) => Buffer.from(e.headers.authorization!.replace(/^Basic /, ""), "base64").toString().split(":")[0]),
        );
        expect([...usernames].sort()).to.deep.equal([t.tenants.alpha.apiKey!.sid, t.tenants.beta.apiKey!.sid].sort());
        expect(t.emulator.requests.entries.every((e) => e.status < 400)).to.equal(true);
      } finally {
        await t.close();
      }
    });
  });
});
