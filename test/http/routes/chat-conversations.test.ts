import { expect } from "chai";
import jwt from "jsonwebtoken";
import { createConversation } from "../../support/conversation-fixtures.js";
import { startApp, TEST_JWT_SECRET, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

describe("chat API: conversations", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  describe("POST /conversations", () => {
    describe("when given a name and an SMS participant", () => {
      it("creates the conversation with a messaging binding to the tenant's number", async () => {
        const response = await t.api().post(BASE, {
          friendlyName: "Ada",
          participants: [{ phoneNumber: "+15551234567" }, { userId: "agent-7" }],
          attributes: { contactDetails: { tags: ["vip"] } },
        });
        expect(response.status).to.equal(201);
        expect(response.body.sid).to.match(/^CH[0-9a-f]{32}$/);
        expect(response.body.friendlyName).to.equal("Ada");
        const attributes = JSON.parse(response.body.attributes);
        expect(attributes).to.deep.include({ channel: "SMS", unreadCount: 0, isStarred: false });
        expect(attributes.contactDetails).to.deep.equal({ tags: ["vip"], phone: "+15551234567" });
        const binding = response.body.participants.find((p: any) => p.messagingBinding)?.messagingBinding;
        expect(binding).to.deep.include({ address: "+15551234567", proxyAddress: t.tenants.alpha.phoneNumber });
        expect(response.body.participants.map((p: any) => p.identity)).to.include("agent-7");
      });
    });

    describe("when the channel is WhatsApp", () => {
      it("binds whatsapp: addresses to the tenant's WhatsApp sender", async () => {
        const response = await t.api().post(BASE, {
          friendlyName: "Grace",
          participants: [{ phoneNumber: "+15557654321" }],
          attributes: { channel: "WhatsApp" },
        });
        expect(response.status).to.equal(201);
        expect(response.body.participants[0].messagingBinding).to.deep.include({
          address: "whatsapp:+15557654321",
          proxyAddress: t.tenants.alpha.whatsappNumber,
        });
      });
    });

    describe("when the phone number is already bound in another open conversation", () => {
      it("responds 409 with Twilio's code and leaves no half-made conversation behind", async () => {
        await createConversation(t, { name: "First", phone: "+15550000001", waitForWebhooks: false });
        const before = (await t.api().get(BASE)).body.length;
        const response = await t.api().post(BASE, {
          friendlyName: "Second",
          participants: [{ userId: "agent-1" }, { phoneNumber: "+15550000001" }],
        });
        expect(response.status).to.equal(409);
        expect(response.body.error.code).to.equal("conflict");
        expect(response.body.error.twilioCode).to.equal(50425);
        t.app.cache.clear();
        expect((await t.api().get(BASE)).body.length).to.equal(before);
      });
    });

    const invalidBodies: Array<[string, unknown, string]> = [
      ["friendlyName is missing", { participants: [] }, "friendlyName"],
      ["a phone number is not E.164", { friendlyName: "x", participants: [{ phoneNumber: "5551234" }] }, "participants/0/phoneNumber"],
      ["an email is invalid", { friendlyName: "x", participants: [{ email: "not-an-email" }] }, "participants/0/email"],
      ["a participant names two targets", { friendlyName: "x", participants: [{ userId: "a", email: "a@b.co" }] }, "participants/0"],
      ["a participant is empty", { friendlyName: "x", participants: [{}] }, "participants/0"],
      ["the channel is unknown", { friendlyName: "x", attributes: { channel: "Fax" } }, "attributes/channel"],
      ["an unknown field is sent", { friendlyName: "x", colour: "red" }, "colour"],
      ["more than 10 participants", { friendlyName: "x", participants: Array.from({ length: 11 }, (_, i) => ({ userId: `u${i}` })) }, "participants"],
    ];
    for (const [situation, body, field] of invalidBodies) {
      describe(`when ${situation}`, () => {
        it(`responds 400 naming ${field} and calls no upstream`, async () => {
          const calls = t.upstreamCalls.length;
          const response = await t.api().post(BASE, body);
          expect(response.status).to.equal(400);
          expect(response.body.error.code).to.equal("validation_failed");
          expect(response.body.error.field).to.equal(field);
          expect(t.upstreamCalls.length).to.equal(calls);
        });
      });
    }

    describe("when the body is not JSON", () => {
      it("responds 400 invalid_json for broken JSON and 415 for another media type", async () => {
        const broken = await t.api().request("POST", BASE, { rawBody: '{"friendlyName":' });
        expect(broken.status).to.equal(400);
        expect(broken.body.error.code).to.equal("invalid_json");
        const form = await t.api().request("POST", BASE, { rawBody: "friendlyName=x", contentType: "application/x-www-form-urlencoded" });
        expect(form.status).to.equal(415);
      });
    });

    describe("when the body exceeds the size limit", () => {
      it("responds 413", async () => {
        const response = await t.api().post(BASE, { friendlyName: "x".repeat(2 * 1024 * 1024) });
        expect(response.status).to.equal(413);
        expect(response.body.error.code).to.equal("payload_too_large");
      });
    });
  });

  describe("GET /conversations", () => {
    describe("when the tenant has conversations", () => {
      it("lists them most recent first with participants and latest message", async () => {
        const first = await createConversation(t, { name: "First", phone: "+15550000011", waitForWebhooks: false });
        const second = await createConversation(t, { name: "Second", phone: "+15550000012", waitForWebhooks: false });
        await new Promise((resolve) => setTimeout(resolve, 1100)); // Twilio's timestamps have one-second resolution
        await t.api().post(`${BASE}/${first.sid}/messages`, { body: "newest activity" });
        const response = await t.api().get(BASE);
        expect(response.status).to.equal(200);
        expect(response.body.map((c: any) => c.sid)).to.deep.equal([first.sid, second.sid]);
        expect(response.body[0].latestMessage.body).to.equal("newest activity");
        expect(response.body[0].participants).to.have.length(1);
        expect(JSON.parse(response.body[0].attributes)).not.to.have.property("summary");
      });
    });

    describe("when listing 50 of 60 conversations", () => {
      it("makes one upstream call cold and none warm", async function () {
        this.timeout(40_000); // 60 conversations made through the API first: slow on a loaded machine, not what is measured
        for (let i = 0; i < 60; i++) {
          await createConversation(t, { name: `Contact ${i}`, phone: `+1555100${String(i).padStart(4, "0")}`, waitForWebhooks: false });
        }
        await t.emulator.whenIdle();
        t.app.cache.clear();
        const coldStart = t.upstreamCalls.length;
        const cold = await t.api().get(`${BASE}?limit=50`);
        expect(cold.status).to.equal(200);
        expect(cold.body).to.have.length(50);
        const coldCalls = t.upstreamCalls.length - coldStart;
        const warm = await t.api().get(`${BASE}?limit=50`);
        const warmCalls = t.upstreamCalls.length - coldStart - coldCalls;
        expect(coldCalls).to.equal(1);
        expect(warmCalls).to.equal(0);
        expect(warm.body).to.deep.equal(cold.body);
      });
    });

    describe("when a conversation was made outside the gateway and no webhook reached us (no summary)", () => {
      it("fetches its participants and latest message once, then serves them from the cache", async () => {
        const quiet = await startApp({ webhooks: false });
        try {
          const gateway = quiet.app.tenants.get("alpha").gateway;
          const record = await gateway.createConversation({ friendlyName: "Outside", attributes: "{}", participants: [{ identity: "bob" }] });
          await gateway.createMessage(record.sid, { author: "bob", body: "hello from outside", attributes: "{}" });
          quiet.app.cache.clear();
          const before = quiet.upstreamCalls.length;
          const cold = await quiet.api().get(BASE);
          expect(cold.body[0].latestMessage.body).to.equal("hello from outside");
          expect(cold.body[0].participants[0].identity).to.equal("bob");
          expect(quiet.upstreamCalls.length - before).to.equal(3);
          await quiet.api().get(BASE);
          expect(quiet.upstreamCalls.length - before).to.equal(3);
        } finally {
          await quiet.close();
        }
      });
    });

    describe("when filtering and searching", () => {
      it("applies unread, starred and search server-side", async () => {
        const ada = await createConversation(t, { name: "Ada Lovelace", phone: "+15550000021", waitForWebhooks: false });
        const bob = await createConversation(t, { name: "Bob", phone: "+15550000022", waitForWebhooks: false });
        await t.api().patch(`${BASE}/${ada.sid}/attributes`, { unreadCount: 3 });
        await t.api().patch(`${BASE}/${bob.sid}/attributes`, { isStarred: true });
        const sids = async (query: string) => (await t.api().get(`${BASE}?${query}`)).body.map((c: any) => c.sid);
        expect(await sids("filter=unread")).to.deep.equal([ada.sid]);
        expect(await sids("filter=starred")).to.deep.equal([bob.sid]);
        expect(await sids("search=lovelace")).to.deep.equal([ada.sid]);
        expect(await sids("search=%2B15550000022")).to.deep.equal([bob.sid]);
        expect(await sids("filter=recents")).to.have.members([ada.sid, bob.sid]);
        expect(await sids("filter=all&search=nobody")).to.deep.equal([]);
      });
    });

    describe("when there are more conversations than the limit", () => {
      it("gives a Link to the next page and pages without duplicates or gaps", async () => {
        const created = [];
        for (let i = 0; i < 5; i++) created.push((await createConversation(t, { name: `P${i}`, phone: `+1555200000${i}`, waitForWebhooks: false })).sid);
        const seen: string[] = [];
        let next: string | undefined = `${BASE}?limit=2`;
        while (next) {
          const response: { body: any[]; headers: Headers } = await t.api().get(next);
          seen.push(...response.body.map((c: any) => c.sid));
          next = /<([^>]+)>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
        }
        expect(seen).to.have.length(5);
        expect(new Set(seen)).to.deep.equal(new Set(created));
      });
    });

    describe("when query parameters are invalid", () => {
      for (const query of ["limit=0", "limit=101", "limit=abc", "filter=deleted", "unknown=1", "offset=-1"]) {
        it(`responds 400 for ${query}`, async () => {
          const response = await t.api().get(`${BASE}?${query}`);
          expect(response.status).to.equal(400);
          expect(response.body.error.field).to.equal(query.split("=")[0]);
        });
      }
    });
  });

  describe("authentication", () => {
    const cases: Array<[string, () => string | null, string]> = [
      ["no token", () => null, "unauthenticated"],
      ["a token signed with another secret", () => jwt.sign({ tenants: ["alpha"] }, "another-secret-another-secret-123", { subject: "u", expiresIn: 60 }), "unauthenticated"],
      ["an expired token", () => jwt.sign({ tenants: ["alpha"], exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_SECRET, { subject: "u" }), "token_expired"],
      ["a token without exp", () => jwt.sign({ tenants: ["alpha"] }, TEST_JWT_SECRET, { subject: "u" }), "unauthenticated"],
      ["an unsigned (alg none) token", () => jwt.sign({ tenants: ["alpha"], sub: "u", exp: Math.floor(Date.now() / 1000) + 60 }, "", { algorithm: "none" }), "unauthenticated"],
      ["a token without a user", () => jwt.sign({ tenants: ["alpha"] }, TEST_JWT_SECRET, { expiresIn: 60 }), "unauthenticated"],
    ];
    for (const [situation, token, code] of cases) {
      describe(`when the request carries ${situation}`, () => {
        it(`responds 401 ${code} and calls no upstream`, async () => {
          const calls = t.upstreamCalls.length;
          const response = await t.api().withToken(token()).get(BASE);
          expect(response.status).to.equal(401);
          expect(response.body.error.code).to.equal(code);
          expect(t.upstreamCalls.length).to.equal(calls);
        });
      });
    }
  });

  describe("tenant isolation", () => {
    describe("when a user of tenant alpha asks for tenant beta's data", () => {
      it("never shows or touches it", async () => {
        const betaConversation = await createConversation(t, { name: "Beta only", phone: "+15550000031", tenant: "beta", waitForWebhooks: false });
        const alphaList = await t.api("alpha").get(BASE);
        expect(alphaList.body.map((c: any) => c.sid)).not.to.include(betaConversation.sid);
        const read = await t.api("alpha").get(`${BASE}/${betaConversation.sid}`);
        expect(read.status).to.equal(404);
        const write = await t.api("alpha").post(`${BASE}/${betaConversation.sid}/messages`, { body: "intrusion" });
        expect(write.status).to.equal(404);
        const patch = await t.api("alpha").patch(`${BASE}/${betaConversation.sid}/attributes`, { isStarred: true });
        expect(patch.status).to.equal(404);
        const switched = await t.api("alpha").get(BASE, { headers: { "x-tenant-id": "beta" } });
        expect(switched.status).to.equal(403);
        const betaView = await t.api("beta").get(`${BASE}/${betaConversation.sid}`);
        expect(JSON.parse(betaView.body.attributes).isStarred).to.equal(false);
        expect(betaView.body.latestMessage).to.equal(undefined);
      });
    });

    describe("when a token grants two tenants", () => {
      it("requires X-Tenant-Id and then serves the chosen one", async () => {
        await createConversation(t, { name: "In beta", phone: "+15550000032", tenant: "beta", waitForWebhooks: false });
        const both = t.api().withToken(t.token({ tenants: ["alpha", "beta"] }));
        expect((await both.get(BASE)).status).to.equal(400);
        const beta = await both.get(BASE, { headers: { "x-tenant-id": "beta" } });
        expect(beta.status).to.equal(200);
        expect(beta.body.map((c: any) => c.friendlyName)).to.deep.equal(["In beta"]);
      });
    });

    describe("when a token grants a tenant this deployment does not serve", () => {
      it("responds 403", async () => {
        const response = await t.api().withToken(t.token({ tenants: ["gamma"] })).get(BASE);
        expect(response.status).to.equal(403);
      });
    });
  });

  describe("GET /conversations/:sid", () => {
    it("returns the conversation, 404 for an unknown SID and 400 for a malformed one", async () => {
      const created = await createConversation(t, { name: "One", phone: "+15550000041", waitForWebhooks: false });
      const found = await t.api().get(`${BASE}/${created.sid}`);
      expect(found.status).to.equal(200);
      expect(found.body.sid).to.equal(created.sid);
      const missing = await t.api().get(`${BASE}/CH${"0".repeat(32)}`);
      expect(missing.status).to.equal(404);
      expect(missing.body.error.twilioCode).to.equal(20404);
      const malformed = await t.api().get(`${BASE}/not-a-sid`);
      expect(malformed.status).to.equal(400);
      expect(malformed.body.error.field).to.equal("sid");
    });
  });

  describe("upstream trouble", () => {
    describe("when Twilio answers 429 twice and then succeeds", () => {
      it("retries with backoff and responds 200", async () => {
        t.emulator.setFaultPlan({ failures: [{ status: 429, count: 2, retryAfterSeconds: 0 }] });
        const response = await t.api().get(BASE);
        expect(response.status).to.equal(200);
        const attempts = t.upstreamCalls.map((call) => call.status);
        expect(attempts).to.deep.equal([429, 429, 200]);
      });
    });

    describe("when Twilio keeps answering 503", () => {
      it("responds 503 with Retry-After and Twilio's code after bounded retries", async () => {
        t.emulator.setFaultPlan({ failures: [{ status: 503, count: 100, retryAfterSeconds: 7 }] });
        const response = await t.api().get(BASE);
        expect(response.status).to.equal(503);
        expect(response.headers.get("retry-after")).to.equal("7");
        expect(response.body.error.code).to.equal("upstream_unavailable");
        expect(t.upstreamCalls).to.have.length(t.config.upstream.maxRetries + 1);
      });
    });

    describe("when a write meets 429 every time", () => {
      it("stops after the bounded retries and the message is not created", async () => {
        const created = await createConversation(t, { name: "Busy", phone: "+15550000051", waitForWebhooks: false });
        t.emulator.setFaultPlan({ failures: [{ status: 429, count: 100, method: "POST" }] });
        const response = await t.api().post(`${BASE}/${created.sid}/messages`, { body: "hi" });
        expect(response.status).to.equal(503);
        expect(response.body.error.twilioCode).to.equal(20429);
        t.emulator.setFaultPlan({});
        const messages = await t.api().get(`${BASE}/${created.sid}/messages`);
        expect(messages.body).to.deep.equal([]);
      });
    });

    describe("when Twilio is unreachable", () => {
      it("responds 503 and /readyz reports unavailable (the operators' /readyz names the tenant), while /healthz stays up", async () => {
        await t.emulator.stop();
        const response = await t.api().get(BASE);
        expect(response.status).to.equal(503);
        expect(response.headers.get("retry-after")).to.match(/^\d+$/);
        const ready = await t.api().get("/readyz");
        expect(ready.status).to.equal(503);
        expect(ready.body).to.deep.equal({ status: "unavailable" });
        const detailed = await fetch(`${t.operatorUrl}/readyz`);
        expect(detailed.status).to.equal(503);
        expect(((await detailed.json()) as { tenants: Record<string, string> }).tenants.alpha).to.equal("unreachable");
        expect((await t.api().get("/healthz")).status).to.equal(200);
      });
    });
  });
});
