import { expect } from "chai";
import { ApiClient } from "../support/api-client.js";
import { ACCOUNTS_ENV, signUp } from "../support/accounts.js";
import { startApp, type TestApp } from "../support/start-app.js";

const WHATSAPP_TOKEN = "EAAG-secret-value-that-must-never-show-0451";

describe("accounts: tenant settings (/api/settings)", function () {
  this.timeout(30_000);
  let t: TestApp;
  let owner: ApiClient;
  const texts: string[] = [];

  before(async () => {
    t = await startApp({ env: { ...ACCOUNTS_ENV, TENANT_ACME_WHATSAPP_TOKEN: WHATSAPP_TOKEN } });
    const api = new ApiClient(t.baseUrl, t.app.contract);
    owner = api.withToken((await signUp(api, "owner@settings.example", "Settings Co")).token);
  });
  after(async () => {
    expect(texts.join("\n")).to.not.include(WHATSAPP_TOKEN);
    await t.close();
  });

  describe("when a new tenant has no sender number yet", () => {
    it("answers 409 to an SMS conversation, then sends once its settings name one", async () => {
      const body = { friendlyName: "customer", participants: [{ phoneNumber: "+15551230001" }] };
      const before = await owner.post("/api/v1/chat/conversations", body);
      expect(before.status).to.equal(409);
      expect(before.body.error.message).to.match(/no SMS sender yet/);
      // The business API answers the same 409, in its own envelope, for a message to a number.
      const businessSend = await owner.post("/api/messages", { to: "+15551230001", type: "text", content: { text: "hi" } });
      expect(businessSend.status, businessSend.text).to.equal(409);
      expect(businessSend.body).to.include({ success: false });
      expect(businessSend.body.message).to.match(/no SMS sender yet/);
      const patched = await owner.patch("/api/settings", { smsConfig: { phoneNumber: "+15005550777" } });
      expect(patched.status, patched.text).to.equal(200);
      expect(patched.body.data.smsConfig).to.deep.equal({ phoneNumber: "+15005550777" });
      expect((await owner.post("/api/v1/chat/conversations", body)).status).to.equal(201);
    });
  });

  describe("when a secret is sent in a PATCH", () => {
    it("refuses it (400 naming the field and where to put it) and stores nothing", async () => {
      const before = (await owner.get("/api/settings")).text;
      const response = await owner.patch("/api/settings", { whatsappConfig: { accessToken: WHATSAPP_TOKEN, phoneNumberId: "123" } });
      texts.push(response.text);
      expect(response.status).to.equal(400);
      expect(response.body.error).to.equal("validation_failed: whatsappConfig/accessToken");
      expect(response.body.message).to.match(/environment variable/);
      expect((await owner.get("/api/settings")).text).to.equal(before);
    });

    it("accepts it by reference and shows only that it is configured, and where", async () => {
      const response = await owner.patch("/api/settings", { whatsappConfig: { accessTokenEnv: "TENANT_ACME_WHATSAPP_TOKEN", number: "+15005550778" } });
      texts.push(response.text);
      expect(response.status, response.text).to.equal(200);
      const read = await owner.get("/api/settings");
      texts.push(read.text);
      expect(read.body.data.whatsappConfig).to.deep.equal({
        number: "whatsapp:+15005550778",
        phoneNumberId: null,
        businessAccountId: null,
        accessToken: { configured: true, storedIn: "environment variable TENANT_ACME_WHATSAPP_TOKEN of the gateway" },
      });
    });

    it("refuses a reference to a variable that is not set, or is not a TENANT_ one", async () => {
      expect((await owner.patch("/api/settings", { whatsappConfig: { accessTokenEnv: "TENANT_NOT_SET" } })).status).to.equal(400);
      const own = await owner.patch("/api/settings", { emailConfig: { sendgridApiKeyEnv: "JWT_SECRET" } });
      expect(own.status).to.equal(400);
    });
  });

  describe("when a tenant claims another tenant's sender number", () => {
    it("answers 409 and keeps its own", async () => {
      const response = await owner.patch("/api/settings", { smsConfig: { phoneNumber: t.tenants.alpha.phoneNumber } });
      expect(response.status).to.equal(409);
      expect((await owner.get("/api/settings")).body.data.smsConfig.phoneNumber).to.equal("+15005550777");
    });
  });

  describe("when the tenant is configured by the environment", () => {
    it("shows its settings as configuration and refuses a PATCH with 409", async () => {
      const alpha = t.api("alpha");
      const read = await alpha.get("/api/settings");
      texts.push(read.text);
      expect(read.body.data).to.include({ managedBy: "configuration" });
      expect(read.text).to.not.include(t.tenants.alpha.sendgrid!.apiKey);
      expect(read.text).to.not.include(t.tenants.alpha.authToken);
      expect((await alpha.patch("/api/settings", { name: "Renamed" })).status).to.equal(409);
    });
  });

  describe("when the settings change", () => {
    it("renames the tenant for its people's next sign-in answer", async () => {
      expect((await owner.patch("/api/settings", { name: "Renamed Co" })).body.data.tenant.name).to.equal("Renamed Co");
      expect((await owner.get("/api/auth/me")).body.data.tenant.name).to.equal("Renamed Co");
    });
  });
});
