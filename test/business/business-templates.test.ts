import { expect } from "chai";
import { startApp, type TestApp } from "../support/start-app.js";

const WELCOME = {
  name: "welcome_message",
  category: "MARKETING",
  language: "en",
  components: [
    { type: "HEADER", format: "TEXT", text: "Welcome!" },
    { type: "BODY", text: "Hello {{1}}, welcome to our service!" },
  ],
};

describe("business API: /api/templates", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp({ env: { TEMPLATE_CACHE_TTL_MS: "0" } });
  });
  afterEach(() => t.close());

  describe("POST in WhatsApp's shape", () => {
    it("creates a twilio/text template, submits it to WhatsApp, and once approved it is sent to a new WhatsApp number", async () => {
      const created = await t.api().post("/api/templates", WELCOME);
      expect(created.status, created.text).to.equal(201);
      expect(created.body.data).to.deep.include({ name: "welcome_message", category: "MARKETING", language: "en", status: "PENDING", contentType: "twilio/text", placeholders: ["1"] });
      expect(created.body.data.components).to.deep.equal([{ type: "BODY", text: "*Welcome!*\nHello {{1}}, welcome to our service!" }]);
      const id = created.body.data.id;
      // Not approved yet: WhatsApp refuses it (409), and no conversation is opened for it.
      const early = await t.api().post("/api/messages", { to: "+15559000001", type: "template", content: { contentSid: id, variables: { "1": "Ada" } } });
      expect(early.status).to.equal(409);
      expect((await t.api().get("/api/conversations")).body.data.pagination.total).to.equal(0);
      t.emulator.setContentApproval({ accountSid: t.tenants.alpha.accountSid, contentSid: id, status: "approved" });
      const listed = await t.api().get("/api/templates");
      expect(listed.body.data.templates.map((tpl: any) => tpl.id)).to.deep.equal([id]);
      const sent = await t.api().post("/api/messages", { to: "+15559000001", type: "template", content: { contentSid: id, variables: { "1": "Ada" } } });
      expect(sent.status, sent.text).to.equal(201);
      expect(sent.body.data).to.include({ type: "TEMPLATE", channel: "WhatsApp", to: "+15559000001" });
      expect(sent.body.data.content.contentSid).to.equal(id);
    });

    it("translates buttons and a footer to the Content types Conversations delivers", async () => {
      const card = await t.api().post("/api/templates", {
        name: "order_ready",
        category: "UTILITY",
        language: "en_US",
        components: [
          { type: "BODY", text: "Your order {{1}} is ready" },
          { type: "FOOTER", text: "Reply STOP to opt out" },
          { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Thanks" }, { type: "URL", text: "Track", url: "https://shop.example/t/1" }] },
        ],
      });
      expect(card.status, card.text).to.equal(201);
      expect(card.body.data.contentType).to.equal("twilio/card");
      const replies = await t.api().post("/api/templates", {
        name: "yes_no",
        category: "UTILITY",
        language: "en",
        components: [{ type: "BODY", text: "Confirm?" }, { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Yes" }, { type: "QUICK_REPLY", text: "No" }] }],
      });
      expect(replies.body.data.contentType).to.equal("twilio/quick-reply");
      expect(replies.body.data.components[1]).to.deep.equal({ type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Yes" }, { type: "QUICK_REPLY", text: "No" }] });
    });

    it("refuses a component Conversations cannot deliver with 400 naming it and why, and creates nothing", async () => {
      const flow = await t.api().post("/api/templates", {
        ...WELCOME,
        components: [{ type: "BODY", text: "Hi" }, { type: "BUTTONS", buttons: [{ type: "FLOW", text: "Open" }] }],
      });
      expect(flow.status).to.equal(400);
      expect(flow.body.message).to.match(/^components\/1: buttons\/0: FLOW buttons have no Content type Conversations delivers/);
      const location = await t.api().post("/api/templates", { ...WELCOME, components: [{ type: "HEADER", format: "LOCATION" }, { type: "BODY", text: "Hi" }] });
      expect(location.status).to.equal(400);
      expect(location.body.message).to.match(/^components\/0: a LOCATION header/);
      const otp = await t.api().post("/api/templates", { ...WELCOME, category: "AUTHENTICATION" });
      expect(otp.status).to.equal(400);
      expect(otp.body.message).to.match(/AUTHENTICATION/);
      expect((await t.api().get("/api/templates")).body.data.templates).to.deep.equal([]);
    });
  });

  describe("when another tenant lists or sends alpha's template", () => {
    it("does not see it and cannot send it (404)", async () => {
      const id = (await t.api().post("/api/templates", WELCOME)).body.data.id;
      t.emulator.setContentApproval({ accountSid: t.tenants.alpha.accountSid, contentSid: id, status: "approved" });
      expect((await t.api("beta").get("/api/templates")).body.data.templates).to.deep.equal([]);
      const sent = await t.api("beta").post("/api/messages", { to: "+15559000002", type: "template", content: { contentSid: id, variables: { "1": "x" } } });
      expect(sent.status).to.equal(404);
    });
  });
});
