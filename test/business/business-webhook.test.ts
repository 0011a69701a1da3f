import { expect } from "chai";
import { ACCOUNTS_ENV, signUp } from "../support/accounts.js";
import { ApiClient } from "../support/api-client.js";
import { postSignedForm } from "../support/sign-webhook.js";
import { startApp, type TestApp } from "../support/start-app.js";

const VERIFY_TOKEN = "meta-verify-0123456789";

describe("business API: /api/webhook", () => {
  let t: TestApp;
  let tenantId: string;
  before(async () => {
    t = await startApp({ env: { ...ACCOUNTS_ENV, TENANT_ACME_VERIFY: VERIFY_TOKEN } });
    const owner = await signUp(new ApiClient(t.baseUrl, t.app.contract), "owner@webhook.example", "Acme");
    tenantId = owner.tenant.id;
    const patched = await t.api().withToken(owner.token).patch("/api/settings", { webhookConfig: { verifyTokenEnv: "TENANT_ACME_VERIFY", enabled: true } });
    expect(patched.status, patched.text).to.equal(200);
  });
  after(() => t.close());

  const handshake = (query: Record<string, string>) => fetch(`${t.baseUrl}/api/webhook?${new URLSearchParams(query)}`);

  describe("GET (Meta's verification handshake)", () => {
    it("echoes hub.challenge when hub.verify_token is the tenant's verify token", async () => {
      const response = await handshake({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444" });
      expect(response.status).to.equal(200);
      expect(await response.text()).to.equal("1158201444");
      const narrowed = await handshake({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42", tenant: tenantId });
      expect(await narrowed.text()).to.equal("42");
    });

    it("answers 403 in the envelope for a wrong token, another tenant's narrowing, and never echoes the challenge", async () => {
      const queries: Array<Record<string, string>> = [
        { "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "x1" },
        { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "x2", tenant: "alpha" },
      ];
      for (const query of queries) {
        const response = await handshake(query);
        expect(response.status).to.equal(403);
        const body = (await response.json()) as any;
        expect(body.success).to.equal(false);
        expect(JSON.stringify(body)).to.not.include(query["hub.challenge"]!);
      }
      expect((await handshake({ "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "x" })).status).to.equal(400);
      expect((await handshake({ "hub.mode": "subscribe" })).status).to.equal(400);
    });
  });

  describe("POST (the tenant's Twilio inbound)", () => {
    it("takes a signed message into the sender's conversation, visible in /api/messages; a bad signature is 403 and adds nothing", async () => {
      const params = { AccountSid: t.tenants.alpha.accountSid, MessageSid: "SM" + "a".repeat(32), From: "+15558000001", To: t.tenants.alpha.phoneNumber!, Body: "Hi via webhook", NumMedia: "0" };
      const forged = await postSignedForm(t.api(), t.baseUrl, "/api/webhook", params, "not-the-auth-token");
      expect(forged.status).to.equal(403);
      const accepted = await postSignedForm(t.api(), t.baseUrl, "/api/webhook", params, t.tenants.alpha.authToken);
      expect(accepted.status).to.equal(200);
      const again = await postSignedForm(t.api(), t.baseUrl, "/api/webhook", params, t.tenants.alpha.authToken);
      expect(again.status).to.equal(200);
      const messages = (await t.api().get("/api/messages?direction=INBOUND")).body.data;
      expect(messages.messages.map((m: any) => [m.from, m.content.text])).to.deep.equal([["+15558000001", "Hi via webhook"]]);
    });
  });
});
