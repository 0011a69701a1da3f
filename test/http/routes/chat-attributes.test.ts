import { expect } from "chai";
import twilio from "twilio";
import { CONVERSATION_WEBHOOK_PATH, registerConversationWebhooks } from "../../../src/webhooks/register-webhooks.js";
import { createConversation, phoneNumbers } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

describe("chat API: conversation attributes", () => {
  // One gateway + emulator for the file (each test works on conversations of its own).
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.close());
  afterEach(() => t.emulator.setFaultPlan({}));

  const nextPhone = phoneNumbers("+1555600");

  const gateway = () => t.app.tenants.get("alpha").gateway;
  const patch = async (sid: string, body: unknown) => {
    const response = await t.api().patch(`${BASE}/${sid}/attributes`, body);
    expect(response.status, response.text).to.equal(200);
    return JSON.parse(response.body.attributes);
  };
  /** Which of `changes` the attributes show applied (by index). */
  const appliedChanges = (attributes: Record<string, any>, changes: object[]): number[] =>
    changes.flatMap((change, index) => {
      const [key, value] = Object.entries(change)[0]!;
      const actual = key === "contactDetails" ? attributes.contactDetails ?? {} : attributes;
      const [innerKey, innerValue] = key === "contactDetails" ? Object.entries(value as object)[0]! : [key, value];
      return JSON.stringify(actual[innerKey]) === JSON.stringify(innerValue) ? [index] : [];
    });
  /** What Twilio itself stores, bypassing the gateway's cache. */
  const storedAttributes = async (sid: string) => JSON.parse((await gateway().fetchConversation(sid)).attributes);

  describe("PATCH /conversations/:sid/attributes", () => {
    describe("when patches name different keys", () => {
      it("merges them, contactDetails key by key", async () => {
        const phone = nextPhone();
        const { sid } = await createConversation(t, { name: "Ada", phone });

        await patch(sid, { isStarred: true });
        await patch(sid, { unreadCount: 4 });
        await patch(sid, { contactDetails: { email: "ada@example.com", tags: ["vip"] } });
        const attributes = await patch(sid, { contactDetails: { ownerId: "agent-9", dnd: true } });

        expect(attributes).to.deep.equal({
          channel: "SMS",
          isStarred: true,
          unreadCount: 4,
          contactDetails: { phone, email: "ada@example.com", tags: ["vip"], ownerId: "agent-9", dnd: true },
        });
        expect(await storedAttributes(sid)).to.deep.include({ isStarred: true, unreadCount: 4 });
      });
    });

    describe("when a contactDetails key is given again", () => {
      it("replaces that key only", async () => {
        const phone = nextPhone();
        const { sid } = await createConversation(t, { name: "Grace", phone });
        await patch(sid, { contactDetails: { email: "old@example.com", ownerId: "agent-1" } });

        const attributes = await patch(sid, { contactDetails: { email: "new@example.com" } });

        expect(attributes.contactDetails).to.deep.equal({ phone, email: "new@example.com", ownerId: "agent-1" });
      });
    });

    describe("when Twilio holds keys this API does not know", () => {
      it("keeps them, and keeps the gateway's summary out of the response", async () => {
        const { sid } = await createConversation(t, { name: "Crm", phone: nextPhone() });
        const current = await storedAttributes(sid);
        await gateway().updateConversation(sid, {
          attributes: JSON.stringify({ ...current, crmId: "crm-123", routing: { queue: "gold", weight: 3 } }),
        });

        const attributes = await patch(sid, { isStarred: true, contactDetails: { ownerId: "agent-2" } });

        expect(attributes).to.deep.include({ crmId: "crm-123", routing: { queue: "gold", weight: 3 }, isStarred: true });
        expect(attributes).not.to.have.property("summary");
        const stored = await storedAttributes(sid);
        expect(stored).to.deep.include({ crmId: "crm-123", routing: { queue: "gold", weight: 3 } });
        expect(stored.summary.participants).to.have.length(1);
      });
    });

    describe("when the patch changes nothing", () => {
      it("reads Twilio once and writes nothing", async () => {
        const { sid } = await createConversation(t, { name: "Same", phone: nextPhone() });
        const before = t.upstreamCalls.length;

        const attributes = await patch(sid, { isStarred: false, unreadCount: 0 });

        const calls = t.upstreamCalls.slice(before).map((call) => call.method);
        expect(calls).to.deep.equal(["GET"]);
        expect(attributes).to.deep.include({ isStarred: false, unreadCount: 0 });
      });
    });

    const invalidBodies: Array<[string, unknown, string]> = [
      ["the body is an empty object", {}, "body"],
      ["an unknown key is sent", { colour: "red" }, "colour"],
      ["the summary is sent", { summary: { latestMessage: null } }, "summary"],
      ["unreadCount is negative", { unreadCount: -1 }, "unreadCount"],
      ["unreadCount is not an integer", { unreadCount: 1.5 }, "unreadCount"],
      ["isStarred is a string", { isStarred: "yes" }, "isStarred"],
      ["contactDetails has an unknown key", { contactDetails: { nickname: "Ada" } }, "contactDetails/nickname"],
      ["contactDetails.email is invalid", { contactDetails: { email: "nope" } }, "contactDetails/email"],
      ["contactDetails.phone is not E.164", { contactDetails: { phone: "0123" } }, "contactDetails/phone"],
    ];
    for (const [situation, body, field] of invalidBodies) {
      describe(`when ${situation}`, () => {
        it(`responds 400 naming ${field} and calls no upstream`, async () => {
          const { sid } = await createConversation(t, { name: "Invalid", phone: nextPhone() });
          const calls = t.upstreamCalls.length;

          const response = await t.api().patch(`${BASE}/${sid}/attributes`, body);

          expect(response.status).to.equal(400);
          expect(response.body.error.code).to.equal("validation_failed");
          expect(response.body.error.field).to.equal(field);
          expect(t.upstreamCalls.length).to.equal(calls);
        });
      });
    }

    describe("when no body is sent", () => {
      it("responds 400 naming body", async () => {
        const { sid } = await createConversation(t, { name: "Empty", phone: nextPhone() });

        const response = await t.api().patch(`${BASE}/${sid}/attributes`);

        expect(response.status).to.equal(400);
        expect(response.body.error.field).to.equal("body");
      });
    });

    describe("when the conversation does not exist", () => {
      it("responds 404 with Twilio's code", async () => {
        const response = await t.api().patch(`${BASE}/CH${"0".repeat(32)}/attributes`, { isStarred: true });

        expect(response.status).to.equal(404);
        expect(response.body.error.twilioCode).to.equal(20404);
      });
    });

    describe("when 20 patches of one conversation arrive at once", () => {
      it("loses none of them", async () => {
        const { sid } = await createConversation(t, { name: "Busy", phone: nextPhone() });
        const changes: object[] = [
          { isStarred: true },
          { unreadCount: 7 },
          { contactDetails: { email: "busy@example.com" } },
          { contactDetails: { ownerId: "agent-5" } },
          { contactDetails: { tags: ["a", "b"] } },
          { contactDetails: { dnd: true } },
          { contactDetails: { phone: "+15556999999" } },
        ];
        const patches = Array.from({ length: 20 }, (_, i) => changes[i % changes.length]!);
        t.emulator.setFaultPlan({ latencyMs: 3 });

        const responses = await Promise.all(patches.map((body) => t.api().patch(`${BASE}/${sid}/attributes`, body)));
        t.emulator.setFaultPlan({});

        expect(responses.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
        // Serialised writes only ever add target values, so the states the responses report must nest.
        const applied = responses
          .map((r) => appliedChanges(JSON.parse(r.body.attributes), changes))
          .sort((a, b) => a.length - b.length);
        for (let i = 1; i < applied.length; i++) expect(applied[i]).to.include.members(applied[i - 1]!);
        const expected = {
          isStarred: true,
          unreadCount: 7,
          contactDetails: { phone: "+15556999999", email: "busy@example.com", ownerId: "agent-5", tags: ["a", "b"], dnd: true },
        };
        expect(await storedAttributes(sid)).to.deep.include(expected);
      });
    });

    describe("when the conversation was read before the patch", () => {
      it("serves the patched value afterwards from the cache", async () => {
        const { sid } = await createConversation(t, { name: "Fresh", phone: nextPhone() });
        await t.api().get(`${BASE}/${sid}`);
        await t.api().get(`${BASE}?limit=100`);

        await patch(sid, { unreadCount: 5, isStarred: true });
        const before = t.upstreamCalls.length;
        const one = await t.api().get(`${BASE}/${sid}`);
        const unread = await t.api().get(`${BASE}?filter=unread&limit=100`);
        const starred = await t.api().get(`${BASE}?filter=starred&limit=100`);

        expect(JSON.parse(one.body.attributes)).to.deep.include({ unreadCount: 5, isStarred: true });
        expect(unread.body.map((c: any) => c.sid)).to.include(sid);
        expect(starred.body.map((c: any) => c.sid)).to.include(sid);
        expect(t.upstreamCalls.length).to.equal(before);
      });
    });

    describe("when Twilio delivers an older onConversationUpdated after a later patch", () => {
      it("still serves the later state", async () => {
        const { sid } = await createConversation(t, { name: "Late", phone: nextPhone() });
        const { accountSid, conversationsServiceSid, authToken } = t.tenants.alpha;
        // The first delivery of the star's webhook fails (say the gateway was restarting); Twilio retries later.
        t.emulator.configureWebhooks(accountSid, conversationsServiceSid, { postWebhookUrl: "http://127.0.0.1:9/unreachable" });
        try {
          await patch(sid, { isStarred: true });
          await t.emulator.whenIdle();
        } finally {
          await registerConversationWebhooks(t.app.tenants, t.baseUrl);
        }
        const late = t.emulator.webhooks.byEvent("onConversationUpdated").find((d) => d.status === null && d.params.ConversationSid === sid)!;
        await patch(sid, { unreadCount: 3 });
        await t.emulator.whenIdle();

        const redelivery = await t.api().withToken(null).request("POST", CONVERSATION_WEBHOOK_PATH, {
          rawBody: new URLSearchParams(late.params).toString(),
          contentType: "application/x-www-form-urlencoded",
          headers: {
            "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, `${t.baseUrl}${CONVERSATION_WEBHOOK_PATH}`, late.params),
            "i-twilio-idempotency-token": late.idempotencyToken,
          },
        });
        const read = await t.api().get(`${BASE}/${sid}`);

        expect(redelivery.status).to.equal(200);
        expect(JSON.parse(read.body.attributes)).to.deep.include({ isStarred: true, unreadCount: 3 });
      });
    });

    describe("when unreadCount is set back to 0", () => {
      it("marks the conversation read", async () => {
        const { sid } = await createConversation(t, { name: "Read", phone: nextPhone() });
        await patch(sid, { unreadCount: 2 });
        await t.emulator.whenIdle();

        const before = await t.api().get(`${BASE}?filter=unread&limit=100`);
        await patch(sid, { unreadCount: 0 });
        const after = await t.api().get(`${BASE}?filter=unread&limit=100`);

        expect(before.body.map((c: any) => c.sid)).to.include(sid);
        expect(after.body.map((c: any) => c.sid)).not.to.include(sid);
      });
    });
  });
});
