import { expect } from "chai";
import { startApp, type TestApp } from "../../support/start-app.js";

const PHP = "/twilio";
const CHAT = "/api/v1/chat/conversations";
const MISSING_CH = `CH${"0".repeat(32)}`;

describe("PHP-compatible API (seed 004): conversations", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.close());
  afterEach(() => t.emulator.setFaultPlan({}));

  const create = async (friendlyName?: string, accountId = "alpha") => {
    const response = await t.api().post(`${PHP}/create_conversation.php`, { account_id: accountId, ...(friendlyName ? { friendly_name: friendlyName } : {}) });
    expect(response.status, response.text).to.equal(200);
    return response.body.data;
  };

  describe("POST /create_conversation.php", () => {
    describe("when given an account and a name", () => {
      it("creates it in the account's service and answers Twilio's snake_case shape", async () => {
        const response = await t.api().post(`${PHP}/create_conversation.php`, { account_id: "alpha", friendly_name: "Conversation with +15551230000" });
        expect(response.status).to.equal(200);
        expect(response.body.success).to.equal(true);
        const data = response.body.data;
        expect(data.sid).to.match(/^CH[0-9a-f]{32}$/);
        expect(data).to.include({
          account_sid: t.tenants.alpha.accountSid,
          chat_service_sid: t.tenants.alpha.conversationsServiceSid,
          friendly_name: "Conversation with +15551230000",
          unique_name: null,
          state: "active",
        });
        expect(data.url).to.equal(`https://conversations.twilio.com/v1/Services/${data.chat_service_sid}/Conversations/${data.sid}`);
        expect(JSON.parse(data.attributes)).to.not.have.property("summary");
      });
    });

    describe("when friendly_name is absent", () => {
      it("leaves the name null, as Twilio does", async () => {
        expect((await create()).friendly_name).to.equal(null);
      });
    });

    describe("when account_id is a number naming an alias", () => {
      it("finds the tenant by alias", async () => {
        // Test tenants have no aliases; give alpha the PHP backend's numeric account id.
        (t.tenants.alpha as { aliases?: string[] }).aliases = ["123"];
        const response = await t.api().post(`${PHP}/create_conversation.php`, { account_id: 123 });
        expect(response.status).to.equal(200);
        expect(response.body.data.account_sid).to.equal(t.tenants.alpha.accountSid);
      });
    });

    describe("when account_id is missing", () => {
      it("responds 400 in the envelope naming account_id and calls no upstream", async () => {
        await t.emulator.whenIdle(); // webhooks of earlier writes make calls of their own
        const calls = t.upstreamCalls.length;
        const response = await t.api().post(`${PHP}/create_conversation.php`, { friendly_name: "x" });
        expect(response.status).to.equal(400);
        expect(response.body).to.deep.include({ success: false });
        expect(response.body.data).to.include({ code: 400, status: 400, field: "account_id" });
        expect(t.upstreamCalls.length).to.equal(calls);
      });
    });

    describe("when account_id names no account", () => {
      it("responds 404 Account not found", async () => {
        const response = await t.api().post(`${PHP}/create_conversation.php`, { account_id: "nobody" });
        expect(response.status).to.equal(404);
        expect(response.body).to.deep.equal({ success: false, data: { error: "Account not found", code: 404, status: 404, field: "account_id" } });
      });
    });

    describe("when account_id names a tenant the token does not grant", () => {
      it("responds 404 Account not found, as for no account, and creates nothing in it", async () => {
        const before = (await t.api("beta").get(CHAT)).body.length;
        const response = await t.api("alpha").post(`${PHP}/create_conversation.php`, { account_id: "beta" });
        expect(response.status).to.equal(404);
        expect(response.body).to.deep.equal({ success: false, data: { error: "Account not found", code: 404, status: 404, field: "account_id" } });
        expect((await t.api("beta").get(CHAT)).body.length).to.equal(before);
      });
    });

    describe("when conversation_service_sid is another service", () => {
      it("responds 404 naming it", async () => {
        const response = await t.api().post(`${PHP}/create_conversation.php`, {
          account_id: "alpha",
          conversation_service_sid: t.tenants.beta.conversationsServiceSid,
        });
        expect(response.status).to.equal(404);
        expect(response.body.data.field).to.equal("conversation_service_sid");
      });
    });

    describe("when conversation_service_sid is not an IS SID", () => {
      it("responds 400 naming it", async () => {
        const response = await t.api().post(`${PHP}/create_conversation.php`, { account_id: "alpha", conversation_service_sid: "IS123" });
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("conversation_service_sid");
      });
    });

    describe("when the body is not JSON", () => {
      it("still answers in the envelope", async () => {
        const response = await t.api().request("POST", `${PHP}/create_conversation.php`, { rawBody: '{"account_id":' });
        expect(response.status).to.equal(400);
        expect(response.body.success).to.equal(false);
      });
    });

    describe("when the request has no token", () => {
      it("responds 401 in the envelope", async () => {
        const response = await t.api().withToken(null).post(`${PHP}/create_conversation.php`, { account_id: "alpha" });
        expect(response.status).to.equal(401);
        expect(response.body.success).to.equal(false);
      });
    });
  });

  describe("conversations across the two surfaces", () => {
    describe("when one is created through the PHP surface", () => {
      it("is listed by GET /api/v1/chat/conversations", async () => {
        const created = await create("Made in PHP");
        const listed = (await t.api().get(`${CHAT}?search=Made%20in%20PHP`)).body;
        expect(listed.map((c: { sid: string }) => c.sid)).to.include(created.sid);
      });
    });

    describe("when one is created through the chat API", () => {
      it("is returned by list_conversations.php and get_conversation.php", async () => {
        const made = (await t.api().post(CHAT, { friendlyName: "Made in chat", participants: [{ phoneNumber: "+15551230001" }] })).body;
        const list = await t.api().get(`${PHP}/list_conversations.php?account_id=alpha&limit=100`);
        expect(list.body.data.conversations.map((c: { sid: string }) => c.sid)).to.include(made.sid);
        const got = await t.api().get(`${PHP}/get_conversation.php?account_id=alpha&conversation_sid=${made.sid}`);
        expect(got.status).to.equal(200);
        expect(got.body.data).to.include({ sid: made.sid, friendly_name: "Made in chat", attributes: made.attributes });
      });
    });
  });

  describe("GET /list_conversations.php", () => {
    describe("when limit is omitted", () => {
      it("pages 20 at a time with Twilio's meta", async () => {
        const response = await t.api().get(`${PHP}/list_conversations.php?account_id=alpha`);
        expect(response.status).to.equal(200);
        const meta = response.body.data.meta;
        expect(meta).to.include({ page: 0, page_size: 20, previous_page_url: null, key: "conversations" });
        expect(meta.first_page_url).to.equal(`${PHP}/list_conversations.php?account_id=alpha&page=0`);
      });
    });

    describe("when more conversations exist than the limit", () => {
      it("names the next page, which continues where the first stopped", async () => {
        await Promise.all([create("p1"), create("p2"), create("p3")]);
        const first = await t.api().get(`${PHP}/list_conversations.php?account_id=alpha&limit=2`);
        const next = first.body.data.meta.next_page_url;
        expect(next).to.equal(`${PHP}/list_conversations.php?account_id=alpha&limit=2&page=1`);
        const second = await t.api().get(next);
        expect(second.body.data.meta).to.include({ page: 1, previous_page_url: `${PHP}/list_conversations.php?account_id=alpha&limit=2&page=0` });
        const firstSids = first.body.data.conversations.map((c: { sid: string }) => c.sid);
        for (const c of second.body.data.conversations) expect(firstSids).to.not.include(c.sid);
      });
    });

    describe("when limit is not a number", () => {
      it("responds 400 naming limit", async () => {
        const response = await t.api().get(`${PHP}/list_conversations.php?account_id=alpha&limit=lots`);
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("limit");
      });
    });

    describe("when account_id is missing", () => {
      it("responds 400 naming account_id", async () => {
        const response = await t.api().get(`${PHP}/list_conversations.php`);
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("account_id");
      });
    });
  });

  describe("GET /get_conversation.php", () => {
    describe("when the conversation does not exist", () => {
      it("responds 404 Conversation not found with Twilio's code", async () => {
        const response = await t.api().get(`${PHP}/get_conversation.php?account_id=alpha&conversation_sid=${MISSING_CH}`);
        expect(response.status).to.equal(404);
        expect(response.body.data).to.include({ error: "Conversation not found", status: 404 });
        expect(response.body.data.code).to.be.a("number");
      });
    });

    describe("when the SID belongs to another tenant", () => {
      it("responds 404: never reaches another service", async () => {
        const betas = (await t.api("beta").post(CHAT, { friendlyName: "beta's" })).body;
        const response = await t.api("alpha").get(`${PHP}/get_conversation.php?account_id=alpha&conversation_sid=${betas.sid}`);
        expect(response.status).to.equal(404);
      });
    });

    describe("when conversation_sid is not a CH SID", () => {
      it("responds 400 naming conversation_sid", async () => {
        const response = await t.api().get(`${PHP}/get_conversation.php?account_id=alpha&conversation_sid=MB${"0".repeat(32)}`);
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("conversation_sid");
      });
    });
  });

  describe("GET /find_conversation_by_phone.php", () => {
    describe("when the number is a participant over SMS and over WhatsApp", () => {
      it("finds both conversations with the matching participants, from Twilio's address index", async () => {
        const sms = (await t.api().post(CHAT, { friendlyName: "sms", participants: [{ phoneNumber: "+15557770001" }] })).body;
        const wa = (
          await t.api().post(CHAT, { friendlyName: "wa", participants: [{ phoneNumber: "+15557770001" }], attributes: { channel: "WhatsApp" } })
        ).body;
        await create("unrelated");
        await t.emulator.whenIdle();
        t.upstreamCalls.length = 0;
        const response = await t.api().get(`${PHP}/find_conversation_by_phone.php?account_id=alpha&phone_number=%2B15557770001`);
        expect(response.status).to.equal(200);
        expect(response.body.data.found).to.equal(2);
        const bySid = new Map(response.body.data.conversations.map((c: { sid: string }) => [c.sid, c]));
        expect((bySid.get(sms.sid) as any).participants).to.deep.equal([
          { sid: sms.participants[0].sid, address: "+15557770001", proxy_address: t.tenants.alpha.phoneNumber },
        ]);
        expect((bySid.get(wa.sid) as any).participants[0]).to.include({ address: "whatsapp:+15557770001", proxy_address: t.tenants.alpha.whatsappNumber });
        // Two index look-ups (SMS, WhatsApp); the records were cached by the writes: no scan, no listing.
        expect(t.upstreamCalls.length).to.equal(2);
      });
    });

    describe("when nobody has the number", () => {
      it("answers found 0", async () => {
        const response = await t.api().get(`${PHP}/find_conversation_by_phone.php?account_id=alpha&phone_number=%2B15550009999`);
        expect(response.body.data).to.deep.equal({ found: 0, conversations: [] });
      });
    });

    const invalid: Array<[string, string, string]> = [
      ["phone_number has no country code", "phone_number=5551234", "phone_number"],
      ["phone_number is missing", "", "phone_number"],
      ["limit is zero", "phone_number=%2B15551234567&limit=0", "limit"],
    ];
    for (const [situation, query, field] of invalid) {
      describe(`when ${situation}`, () => {
        it(`responds 400 naming ${field}`, async () => {
          const response = await t.api().get(`${PHP}/find_conversation_by_phone.php?account_id=alpha&${query}`);
          expect(response.status).to.equal(400);
          expect(response.body.data.field).to.equal(field);
        });
      });
    }
  });

  describe("DELETE /delete_conversation.php", () => {
    describe("when given one SID", () => {
      it("deletes it and the chat API no longer lists it", async () => {
        const { sid } = await create("to delete");
        await t.api().get(CHAT); // warm the list
        const response = await t.api().delete(`${PHP}/delete_conversation.php`, { body: { account_id: "alpha", conversation_sid: sid } });
        expect(response.status).to.equal(200);
        expect(response.body).to.deep.equal({ success: true, data: { deleted: true, conversation_sid: sid } });
        expect((await t.api().get(CHAT)).body.map((c: { sid: string }) => c.sid)).to.not.include(sid);
        expect((await t.api().get(`${CHAT}/${sid}`)).status).to.equal(404);
      });
    });

    describe("when given one SID that does not exist", () => {
      it("responds 404 Conversation not found", async () => {
        const response = await t.api().delete(`${PHP}/delete_conversation.php`, { body: { account_id: "alpha", conversation_sid: MISSING_CH } });
        expect(response.status).to.equal(404);
        expect(response.body.data.error).to.equal("Conversation not found");
      });
    });

    describe("when given several SIDs, one of them missing", () => {
      it("deletes the others and reports the failure per SID", async () => {
        const [a, b] = await Promise.all([create("bulk a"), create("bulk b")]);
        const response = await t.api().delete(`${PHP}/delete_conversation.php`, {
          body: { account_id: "alpha", conversation_sid: `${a.sid},${b.sid}, ${MISSING_CH}` },
        });
        expect(response.status).to.equal(200);
        expect(response.body.success).to.equal(true);
        expect(response.body.data.deleted).to.equal(2);
        expect(response.body.data.conversation_sids).to.have.members([a.sid, b.sid]);
        expect(response.body.data.failed).to.have.length(1);
        expect(response.body.data.failed[0]).to.include({ sid: MISSING_CH, error: "Conversation not found", status: 404 });
      });
    });

    describe("when a SID in the list is malformed", () => {
      it("responds 400 naming conversation_sid and deletes nothing", async () => {
        const { sid } = await create("kept");
        const response = await t.api().delete(`${PHP}/delete_conversation.php`, { body: { account_id: "alpha", conversation_sid: `${sid},CH123` } });
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("conversation_sid");
        expect((await t.api().get(`${CHAT}/${sid}`)).status).to.equal(200);
      });
    });

    describe("when Twilio is down for every SID", () => {
      it("responds 503 with Retry-After", async () => {
        const [a, b] = await Promise.all([create("down a"), create("down b")]);
        t.emulator.setFaultPlan({ failures: [{ status: 503, count: 100 }] });
        const response = await t.api().delete(`${PHP}/delete_conversation.php`, { body: { account_id: "alpha", conversation_sid: `${a.sid},${b.sid}` } });
        expect(response.status).to.equal(503);
        expect(response.headers.get("retry-after")).to.match(/^\d+$/);
      });
    });
  });

  describe("when Twilio is down", () => {
    const reads: Array<[string, string]> = [
      ["POST /create_conversation.php", "create"],
      ["GET /list_conversations.php", `${PHP}/list_conversations.php?account_id=alpha`],
      ["GET /get_conversation.php", `${PHP}/get_conversation.php?account_id=alpha&conversation_sid=${MISSING_CH}`],
      ["GET /find_conversation_by_phone.php", `${PHP}/find_conversation_by_phone.php?account_id=alpha&phone_number=%2B15551234567`],
      ["DELETE /delete_conversation.php", "delete"],
    ];
    for (const [endpoint, target] of reads) {
      describe(endpoint, () => {
        it("responds 503 in the envelope with Retry-After", async () => {
          t.app.cache.clear();
          t.emulator.setFaultPlan({ failures: [{ status: 503, count: 100 }] });
          const response =
            target === "create"
              ? await t.api().post(`${PHP}/create_conversation.php`, { account_id: "alpha" })
              : target === "delete"
                ? await t.api().delete(`${PHP}/delete_conversation.php`, { body: { account_id: "alpha", conversation_sid: MISSING_CH } })
                : await t.api().get(target);
          expect(response.status).to.equal(503);
          expect(response.body.success).to.equal(false);
          expect(response.body.data.status).to.equal(503);
          expect(Number(response.headers.get("retry-after"))).to.be.greaterThan(0);
        });
      });
    }
  });
});
