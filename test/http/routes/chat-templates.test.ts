import { expect } from "chai";
import { connectClient, nextEvent, subscribe } from "../../support/connect-client.js";
import { createConversation, phoneNumbers } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const TEMPLATES = "/api/v1/chat/templates";
const CONVERSATIONS = "/api/v1/chat/conversations";
const phone = phoneNumbers("+1555440");

describe("chat API: templates (Twilio Content API)", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp({ env: { TEMPLATE_CACHE_TTL_MS: "300" } });
  });
  afterEach(() => t.close());

  const orderUpdate = { friendlyName: "Order update", language: "en", variables: { "1": "customer" }, types: { "twilio/text": { body: "Hi {{1}}, order {{2}} has shipped." } } };
  const create = async (tenant: "alpha" | "beta" = "alpha", body: object = orderUpdate) => {
    const created = await t.api(tenant).post(TEMPLATES, body);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body;
  };
  const approve = (sid: string, status = "approved", rejectionReason?: string) =>
    t.emulator.setContentApproval({ accountSid: t.tenants.alpha.accountSid, contentSid: sid, status, ...(rejectionReason ? { rejectionReason } : {}) });
  const contentCalls = () => t.upstreamCalls.filter((call) => call.url.includes("/v1/Content"));
  const messagePosts = () => t.emulator.requests.count((e) => e.method === "POST" && /\/Messages$/.test(e.path));

  describe("when a template is created", () => {
    it("answers it with its placeholders, named for the tenant in Twilio, and lists it", async () => {
      const template = await create();
      expect(template).to.deep.include({ friendlyName: "Order update", language: "en", placeholders: ["1", "2"], whatsapp: null });
      const stored = t.emulator.requests.entries.find((e) => e.method === "POST" && e.path === "/v1/Content");
      expect((stored?.responseBody as { friendly_name: string }).friendly_name).to.equal("sb:alpha:Order update");
      const listed = await t.api().get(TEMPLATES);
      expect(listed.body.map((item: { sid: string }) => item.sid)).to.deep.equal([template.sid]);
      expect((await t.api().get(`${TEMPLATES}/${template.sid}`)).body.sid).to.equal(template.sid);
    });
  });

  describe("when another tenant looks at it", () => {
    it("does not list it, and answers 404 to get, delete, approval and sending, deleting nothing", async () => {
      const template = await create();
      expect((await t.api("beta").get(TEMPLATES)).body).to.deep.equal([]);
      expect((await t.api("beta").get(`${TEMPLATES}/${template.sid}`)).status).to.equal(404);
      expect((await t.api("beta").delete(`${TEMPLATES}/${template.sid}`)).status).to.equal(404);
      expect((await t.api("beta").post(`${TEMPLATES}/${template.sid}/approval`, { name: "order_update", category: "UTILITY" })).status).to.equal(404);
      const { sid } = await createConversation(t, { phone: phone(), tenant: "beta" });
      expect((await t.api("beta").post(`${CONVERSATIONS}/${sid}/messages`, { contentSid: template.sid })).status).to.equal(404);
      expect((await t.api().get(`${TEMPLATES}/${template.sid}`)).status).to.equal(200);
    });
  });

  describe("when WhatsApp approval is requested and WhatsApp decides", () => {
    it("shows received, then the verdict once the short cache expires, without a restart", async () => {
      const template = await create();
      const requested = await t.api().post(`${TEMPLATES}/${template.sid}/approval`, { name: "order_update", category: "UTILITY" });
      expect(requested.status).to.equal(201);
      expect(requested.body).to.deep.equal({ status: "received", name: "order_update", category: "UTILITY", rejectionReason: null });
      expect((await t.api().get(`${TEMPLATES}/${template.sid}`)).body.whatsapp.status).to.equal("received");
      approve(template.sid, "rejected", "INVALID_FORMAT");
      await new Promise((resolve) => setTimeout(resolve, 350));
      const [listed] = (await t.api().get(TEMPLATES)).body;
      expect(listed.whatsapp).to.include({ status: "rejected", rejectionReason: "INVALID_FORMAT" });
    });

    it("refuses a name WhatsApp would not take with 400, before calling Twilio", async () => {
      const template = await create();
      t.upstreamCalls.length = 0;
      const refused = await t.api().post(`${TEMPLATES}/${template.sid}/approval`, { name: "Order Update!", category: "UTILITY" });
      expect(refused.status).to.equal(400);
      expect(refused.body.error.field).to.equal("name");
      expect(t.upstreamCalls).to.deep.equal([]);
    });
  });

  describe("when a template is deleted", () => {
    it("is gone from Twilio and the list", async () => {
      const template = await create();
      expect((await t.api().delete(`${TEMPLATES}/${template.sid}`)).status).to.equal(204);
      expect((await t.api().get(TEMPLATES)).body).to.deep.equal([]);
      expect((await t.api().get(`${TEMPLATES}/${template.sid}`)).status).to.equal(404);
    });
  });

  describe("when a template is sent on WhatsApp", () => {
    it("opens a conversation the customer never wrote in: approved, it renders the variables and arrives as message:sent", async () => {
      const template = await create();
      approve(template.sid);
      const { sid } = await createConversation(t, { phone: phone(), channel: "WhatsApp" });
      const client = await connectClient(t.baseUrl, { token: t.token() });
      try {
        await subscribe(client, sid);
        const delivered = nextEvent(client, "message:sent");
        const sent = await t.api().post(`${CONVERSATIONS}/${sid}/messages`, { contentSid: template.sid, contentVariables: { "1": "Ada", "2": "#42" } });
        expect(sent.status).to.equal(201);
        expect(sent.body).to.include({ body: "Hi Ada, order #42 has shipped.", contentSid: template.sid });
        expect(JSON.parse(sent.body.attributes)).to.include({ channel: "WhatsApp", contentSid: template.sid, status: "queued" });
        expect((await delivered).message.body).to.equal("Hi Ada, order #42 has shipped.");
      } finally {
        client.close();
      }
    });

    it("refuses an unapproved (or paused) template with 409 before sending", async () => {
      const template = await create();
      const { sid } = await createConversation(t, { phone: phone(), channel: "WhatsApp" });
      const before = messagePosts();
      const refused = await t.api().post(`${CONVERSATIONS}/${sid}/messages`, { contentSid: template.sid, contentVariables: { "2": "#1" } });
      expect(refused.status).to.equal(409);
      expect(refused.body.error.code).to.equal("template_not_approved");
      approve(template.sid, "paused");
      await new Promise((resolve) => setTimeout(resolve, 350));
      const paused = await t.api().post(`${CONVERSATIONS}/${sid}/messages`, { contentSid: template.sid, contentVariables: { "2": "#1" } });
      expect(paused.body.error.message).to.contain("paused");
      expect(messagePosts()).to.equal(before);
    });
  });

  describe("when the variables do not match the placeholders", () => {
    for (const [situation, variables, field] of [
      ["a placeholder has no value and no default", { "1": "Ada" }, "contentVariables/2"],
      ["a variable names no placeholder", { "1": "Ada", "2": "#1", "3": "x" }, "contentVariables/3"],
    ] as const) {
      it(`responds 400 naming ${field} when ${situation}, and sends nothing`, async () => {
        const template = await create();
        approve(template.sid);
        const { sid } = await createConversation(t, { phone: phone() });
        const before = messagePosts();
        const refused = await t.api().post(`${CONVERSATIONS}/${sid}/messages`, { contentSid: template.sid, contentVariables: variables });
        expect(refused.status).to.equal(400);
        expect(refused.body.error.field).to.equal(field);
        expect(messagePosts()).to.equal(before);
      });
    }
  });

  describe("when the template's type cannot go through Conversations", () => {
    it("responds 400 with Twilio's 50542 reason, and sends nothing", async () => {
      const carousel = await create("alpha", { friendlyName: "Carousel", language: "en", types: { "twilio/carousel": { body: "Pick one", cards: [] } } });
      const { sid } = await createConversation(t, { phone: phone() });
      const refused = await t.api().post(`${CONVERSATIONS}/${sid}/messages`, { contentSid: carousel.sid });
      expect(refused.status).to.equal(400);
      expect(refused.body.error.message).to.contain("50542");
    });
  });

  describe("when both body and contentSid are sent", () => {
    it("responds 400 before calling Twilio", async () => {
      const template = await create();
      const { sid } = await createConversation(t, { phone: phone() });
      t.upstreamCalls.length = 0;
      const refused = await t.api().post(`${CONVERSATIONS}/${sid}/messages`, { body: "hi", contentSid: template.sid });
      expect(refused.status).to.equal(400);
      expect(t.upstreamCalls).to.deep.equal([]);
      expect(contentCalls()).to.deep.equal([]);
    });
  });
});
