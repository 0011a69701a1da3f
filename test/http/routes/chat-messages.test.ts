import { expect } from "chai";
import { createConversation, inboundMessage, phoneNumbers } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const UNKNOWN_SID = `CH${"0".repeat(32)}`;

describe("chat API: messages", () => {
  // One gateway + emulator for the file (each test works on conversations of its own).
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.close());
  afterEach(() => t.emulator.setFaultPlan({}));

  const nextPhone = phoneNumbers("+1555300");

  const send = async (sid: string, body: unknown) => {
    const response = await t.api().post(`${BASE}/${sid}/messages`, body);
    expect(response.status, response.text).to.equal(201);
    await t.emulator.whenIdle();
    return response.body;
  };
  const nextLinkOf = (headers: Headers) => /<([^>]+)>; rel="next"/.exec(headers.get("link") ?? "")?.[1];

  describe("POST /conversations/:sid/messages", () => {
    describe("when the body is valid and no author is given", () => {
      it("responds 201 with a queued SMS message authored by the caller", async () => {
        const { sid } = await createConversation(t, { name: "Ada", phone: nextPhone() });

        const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "Hello Ada" });

        expect(response.status).to.equal(201);
        expect(response.body.conversationSid).to.equal(sid);
        expect(response.body.body).to.equal("Hello Ada");
        expect(response.body.author).to.equal("agent-1");
        expect(response.body.index).to.equal(0);
        expect(JSON.parse(response.body.attributes)).to.deep.include({ channel: "SMS", status: "queued", sentBy: "agent-1" });
      });
    });

    describe("when an explicit author is given", () => {
      it("uses it as author but still records the caller as sentBy", async () => {
        const { sid } = await createConversation(t, { name: "Grace", phone: nextPhone() });

        const message = await send(sid, { body: "From the bot", author: "bot-9" });

        expect(message.author).to.equal("bot-9");
        expect(JSON.parse(message.attributes).sentBy).to.equal("agent-1");
      });
    });

    describe("when the conversation speaks WhatsApp", () => {
      it("records the conversation's channel on the message", async () => {
        // The customer writes first: WhatsApp's 24-hour window must be open for free-form text.
        const { conversationSid: sid } = await inboundMessage(t, { from: nextPhone(), body: "hi", channel: "WhatsApp" });

        const message = await send(sid, { body: "hola" });

        expect(JSON.parse(message.attributes).channel).to.equal("WhatsApp");
      });
    });

    describe("when the message is sent", () => {
      it("becomes the conversation's latest message", async () => {
        const { sid } = await createConversation(t, { name: "Latest", phone: nextPhone() });

        await send(sid, { body: "first" });
        await send(sid, { body: "second" });
        const conversation = await t.api().get(`${BASE}/${sid}`);

        expect(conversation.body.latestMessage.body).to.equal("second");
        expect(conversation.body.latestMessage.index).to.equal(1);
      });
    });

    describe("when the conversation does not exist", () => {
      it("responds 404 with Twilio's code and sends nothing", async () => {
        const messagePosts = () => t.emulator.requests.count((e) => e.method === "POST" && /\/Messages$/.test(e.path));
        const before = messagePosts();

        const response = await t.api().post(`${BASE}/${UNKNOWN_SID}/messages`, { body: "anyone?" });

        expect(response.status).to.equal(404);
        expect(response.body.error.code).to.equal("not_found");
        expect(response.body.error.twilioCode).to.equal(20404);
        expect(messagePosts()).to.equal(before);
      });
    });

    const invalidBodies: Array<[string, unknown, string]> = [
      ["the body is empty", { body: "" }, "body"],
      ["the body is missing", {}, "body"],
      ["the body is longer than 1600 characters", { body: "x".repeat(1601) }, "body"],
      ["an unknown field is sent", { body: "hi", priority: "high" }, "priority"],
      ["the channel is unknown", { body: "hi", attributes: { channel: "Fax" } }, "attributes/channel"],
      ["the author is empty", { body: "hi", author: "" }, "author"],
    ];
    for (const [situation, body, field] of invalidBodies) {
      describe(`when ${situation}`, () => {
        it(`responds 400 naming ${field} and calls no upstream`, async () => {
          const { sid } = await createConversation(t, { name: "Invalid", phone: nextPhone() });
          const calls = t.upstreamCalls.length;

          const response = await t.api().post(`${BASE}/${sid}/messages`, body);

          expect(response.status).to.equal(400);
          expect(response.body.error.code).to.equal("validation_failed");
          expect(response.body.error.field).to.equal(field);
          expect(t.upstreamCalls.length).to.equal(calls);
        });
      });
    }

    describe("when the body is exactly 1600 characters", () => {
      it("accepts it whole", async () => {
        const { sid } = await createConversation(t, { name: "Long", phone: nextPhone() });

        const message = await send(sid, { body: "y".repeat(1600) });

        expect(message.body).to.have.length(1600);
      });
    });

    describe("when the conversation was closed", () => {
      it("responds 409 and adds no message", async () => {
        const { sid } = await createConversation(t, { name: "Closed", phone: nextPhone() });
        await t.app.tenants.get("alpha").gateway.updateConversation(sid, { state: "closed" });
        await t.emulator.whenIdle();

        const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "too late" });

        expect(response.status).to.equal(409);
        expect(response.body.error.code).to.equal("conflict");
        const stored = await t.app.tenants.get("alpha").gateway.listMessages(sid, { order: "asc", limit: 50 });
        expect(stored.items).to.deep.equal([]);
      });
    });

    describe("when the closed conversation is not in the cache", () => {
      it("responds 409 and adds no message", async () => {
        const { sid } = await createConversation(t, { name: "Closed cold", phone: nextPhone() });
        await t.app.tenants.get("alpha").gateway.updateConversation(sid, { state: "closed" });
        t.app.cache.clear();

        const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "too late" });

        expect(response.status).to.equal(409);
        const stored = await t.app.tenants.get("alpha").gateway.listMessages(sid, { order: "asc", limit: 50 });
        expect(stored.items).to.deep.equal([]);
      });
    });

    describe("when the Email channel is requested for a conversation without a contact email", () => {
      it("responds 400 naming attributes/channel and records nothing", async () => {
        const { sid } = await createConversation(t, { name: "Mail", phone: nextPhone() });
        const posts = () => t.upstreamCalls.filter((c) => c.method === "POST" && c.url.endsWith("/Messages")).length;
        const before = posts();

        const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "hi", attributes: { channel: "Email" } });

        expect(response.status).to.equal(400);
        expect(response.body.error.field).to.equal("attributes/channel");
        expect(posts()).to.equal(before);
      });
    });

    describe("when the conversation is an Email conversation", () => {
      it("records an Email message that Twilio delivers to nobody", async () => {
        const created = await t.api().post(BASE, {
          friendlyName: "Mail only",
          participants: [{ email: "ada@example.com" }],
          attributes: { channel: "Email" },
        });
        await t.emulator.whenIdle();

        const message = await send(created.body.sid, { body: "Your invoice", attributes: { subject: "Invoice" } });

        expect(JSON.parse(message.attributes)).to.deep.include({ channel: "Email", sentBy: "agent-1" });
        expect(message.delivery).to.equal(null);
      });
    });

    describe("when the Email conversation was closed", () => {
      it("responds 409 and records no message", async () => {
        const created = await t.api().post(BASE, {
          friendlyName: "Mail closed",
          participants: [{ email: "closed@example.com" }],
          attributes: { channel: "Email" },
        });
        const sid = created.body.sid as string;
        await t.app.tenants.get("alpha").gateway.updateConversation(sid, { state: "closed" });
        await t.emulator.whenIdle();

        const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "too late", attributes: { subject: "Late" } });

        expect(response.status).to.equal(409);
        const stored = await t.app.tenants.get("alpha").gateway.listMessages(sid, { order: "asc", limit: 50 });
        expect(stored.items).to.deep.equal([]);
      });
    });

    describe("when an Email is sent in a conversation whose customer is bound by SMS", () => {
      it("does not also deliver it to the customer by SMS", async () => {
        const { sid } = await createConversation(t, { name: "Mixed", phone: nextPhone(), attributes: { contactDetails: { email: "grace@example.com" } } });

        const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "Your invoice", attributes: { channel: "Email", subject: "Invoice" } });
        await t.emulator.whenIdle();

        // Twilio delivers every conversation message to every SMS/WhatsApp binding: a recorded Email must have none.
        if (response.status === 201) expect(response.body.delivery, "an SMS copy of the Email is on its way").to.equal(null);
        else expect(response.status).to.be.oneOf([400, 409]);
      });
    });
  });

  describe("GET /conversations/:sid/messages", () => {
    describe("when no order is given", () => {
      it("lists newest first", async () => {
        const { sid } = await createConversation(t, { name: "Order", phone: nextPhone() });
        for (const body of ["one", "two", "three"]) await send(sid, { body });

        const response = await t.api().get(`${BASE}/${sid}/messages`);

        expect(response.status).to.equal(200);
        expect(response.body.map((m: any) => m.body)).to.deep.equal(["three", "two", "one"]);
        expect(response.headers.get("link")).to.equal(null);
      });
    });

    describe("when order=asc", () => {
      it("lists oldest first", async () => {
        const { sid } = await createConversation(t, { name: "Asc", phone: nextPhone() });
        for (const body of ["one", "two", "three"]) await send(sid, { body });

        const response = await t.api().get(`${BASE}/${sid}/messages?order=asc`);

        expect(response.body.map((m: any) => m.index)).to.deep.equal([0, 1, 2]);
      });
    });

    describe("when there are more messages than the limit", () => {
      it("gives a Link with a pageToken and pages to the end without duplicates or gaps", async () => {
        const { sid } = await createConversation(t, { name: "Paging", phone: nextPhone() });
        for (let i = 0; i < 7; i++) await send(sid, { body: `m${i}` });

        const seen: number[] = [];
        const links: string[] = [];
        let next: string | undefined = `${BASE}/${sid}/messages?limit=3&order=asc`;
        while (next) {
          const response: { status: number; body: any[]; headers: Headers } = await t.api().get(next);
          expect(response.status).to.equal(200);
          expect(response.body.length).to.be.at.most(3);
          seen.push(...response.body.map((m) => m.index));
          next = nextLinkOf(response.headers);
          if (next) links.push(next);
        }

        expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
        expect(links).to.have.length(2);
        for (const link of links) {
          expect(link).to.match(/[?&]pageToken=[A-Za-z0-9_=-]+/);
          expect(link).to.match(/[?&]limit=3(&|$)/);
          expect(link).to.match(/[?&]order=asc(&|$)/);
        }
      });
    });

    describe("when the list is read twice", () => {
      it("makes one upstream call cold and none warm", async () => {
        const { sid } = await createConversation(t, { name: "Warm", phone: nextPhone() });
        await send(sid, { body: "cached" });
        const before = t.upstreamCalls.length;

        const cold = await t.api().get(`${BASE}/${sid}/messages`);
        const coldCalls = t.upstreamCalls.length - before;
        const warm = await t.api().get(`${BASE}/${sid}/messages`);
        const warmCalls = t.upstreamCalls.length - before - coldCalls;

        expect(coldCalls).to.equal(1);
        expect(warmCalls).to.equal(0);
        expect(warm.body).to.deep.equal(cold.body);
      });
    });

    describe("when a message is sent after the list was cached", () => {
      it("shows the new message on the next read", async () => {
        const { sid } = await createConversation(t, { name: "Fresh", phone: nextPhone() });
        await send(sid, { body: "before" });
        await t.api().get(`${BASE}/${sid}/messages`);
        await t.api().get(`${BASE}/${sid}/messages?order=asc&limit=1`);

        const sent = await send(sid, { body: "after" });
        const desc = await t.api().get(`${BASE}/${sid}/messages`);
        const asc = await t.api().get(`${BASE}/${sid}/messages?order=asc&limit=1`);
        const callsBeforeWarm = t.upstreamCalls.length;
        await t.api().get(`${BASE}/${sid}/messages`);

        expect(desc.body.map((m: any) => m.sid)).to.deep.equal([sent.sid, desc.body[1].sid]);
        expect(desc.body[0].body).to.equal("after");
        expect(asc.body[0].body).to.equal("before");
        expect(nextLinkOf(asc.headers)).to.be.a("string");
        expect(t.upstreamCalls.length).to.equal(callsBeforeWarm);
      });
    });

    describe("when a customer's inbound SMS arrives", () => {
      it("appears in the list once the conversation's cache is cleared", async () => {
        const phone = nextPhone();
        const { sid } = await createConversation(t, { name: "Inbound", phone });
        await send(sid, { body: "How can we help?" });
        await t.api().get(`${BASE}/${sid}/messages`);

        const inbound = await inboundMessage(t, { from: phone, body: "My order is late" });
        t.app.cache.clear();
        const response = await t.api().get(`${BASE}/${sid}/messages`);

        expect(inbound.conversationSid).to.equal(sid);
        expect(inbound.created).to.equal(false);
        expect(response.body).to.have.length(2);
        expect(response.body[0]).to.deep.include({ sid: inbound.messageSid, body: "My order is late", author: phone });
        expect(response.body[0].participantSid).to.equal(inbound.participantSid);
      });
    });

    describe("when the conversation does not exist", () => {
      it("responds 404 with Twilio's code", async () => {
        const response = await t.api().get(`${BASE}/${UNKNOWN_SID}/messages`);

        expect(response.status).to.equal(404);
        expect(response.body.error.code).to.equal("not_found");
        expect(response.body.error.twilioCode).to.equal(20404);
      });
    });

    describe("when the conversation belongs to another tenant", () => {
      it("responds 404", async () => {
        const response = await t.api("beta").post(BASE, { friendlyName: "Beta", participants: [{ phoneNumber: nextPhone() }] });
        await t.api("beta").post(`${BASE}/${response.body.sid}/messages`, { body: "beta secret" });

        const read = await t.api("alpha").get(`${BASE}/${response.body.sid}/messages`);

        expect(read.status).to.equal(404);
        expect(read.text).not.to.contain("beta secret");
      });
    });

    const invalidQueries: Array<[string, string]> = [
      ["order=random", "order"],
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["pageToken=not%20a%20token!", "pageToken"],
      [`pageToken=${"A".repeat(201)}`, "pageToken"],
      ["since=yesterday", "since"],
    ];
    for (const [query, field] of invalidQueries) {
      describe(`when the query is ${query.slice(0, 40)}`, () => {
        it(`responds 400 naming ${field} and calls no upstream`, async () => {
          const { sid } = await createConversation(t, { name: "Query", phone: nextPhone() });
          const calls = t.upstreamCalls.length;

          const response = await t.api().get(`${BASE}/${sid}/messages?${query}`);

          expect(response.status).to.equal(400);
          expect(response.body.error.code).to.equal("validation_failed");
          expect(response.body.error.field).to.equal(field);
          expect(t.upstreamCalls.length).to.equal(calls);
        });
      });
    }

    describe("when the pageToken was not issued by this API (forged, or another tenant's)", () => {
      it("responds 400 naming pageToken without asking Twilio", async () => {
        const { sid } = await createConversation(t, { name: "Token", phone: nextPhone() });
        const calls = t.upstreamCalls.length;
        const forged = await t.api().get(`${BASE}/${sid}/messages?pageToken=UFQxMjM.AAAAAAAAAAAAAAAA`);
        expect(forged.status).to.equal(400);
        expect(forged.body.error).to.include({ code: "validation_failed", field: "pageToken" });
        expect(t.upstreamCalls.length).to.equal(calls);
      });
    });

    describe("when the SID is malformed", () => {
      it("responds 400 naming sid", async () => {
        const response = await t.api().get(`${BASE}/CHnope/messages`);

        expect(response.status).to.equal(400);
        expect(response.body.error.field).to.equal("sid");
      });
    });
  });
});

describe("chat API: messages, when Twilio's webhooks do not reach the gateway", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp({ webhooks: false });
  });
  afterEach(() => t.close());

  describe("POST /conversations/:sid/messages", () => {
    describe("when the cached conversation was closed outside the gateway", () => {
      it("still responds 409 and adds no message", async () => {
        const created = await t.api().post(BASE, { friendlyName: "Closed quietly", participants: [{ phoneNumber: "+15553000015" }] });
        const sid = created.body.sid as string;
        await t.api().get(`${BASE}/${sid}`); // cached as active
        await t.app.tenants.get("alpha").gateway.updateConversation(sid, { state: "closed" });

        const response = await t.api().post(`${BASE}/${sid}/messages`, { body: "too late" });

        expect(response.status).to.equal(409);
        expect(response.body.error.code).to.equal("conflict");
        const stored = await t.app.tenants.get("alpha").gateway.listMessages(sid, { order: "asc", limit: 50 });
        expect(stored.items).to.deep.equal([]);
      });
    });
  });
});
