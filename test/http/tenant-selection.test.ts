import { expect } from "chai";
import type { ApiResponse } from "../support/api-client.js";
import { startApp, type TestApp } from "../support/start-app.js";

const MISSING_CH = `CH${"0".repeat(32)}`;

/**
 * "Not granted" and "does not exist" must answer alike on every surface, so that a caller cannot probe which
 * tenants (or aliases) exist, and no refusal names a tenant the caller did not send.
 */
describe("tenant selection: a tenant the token does not grant and one that does not exist", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ webhooks: false });
    // The organization inbox and the PHP-compatible API take aliases: beta is also organization / account "2002".
    (t.tenants.beta as { aliases?: string[] }).aliases = ["2002"];
  });
  after(() => t.close());

  /** Everything that identifies beta and that an alpha user never sent. */
  const betaSecrets = () => [t.tenants.beta.accountSid, t.tenants.beta.conversationsServiceSid, t.tenants.beta.phoneNumber!];

  /** Asserts the refusals are byte-identical, made no upstream call, and name nothing of beta the caller did not send. */
  const expectIndistinguishable = async (status: number, requests: Array<{ sent: string; answer: () => Promise<ApiResponse> }>) => {
    const calls = t.upstreamCalls.length;
    const answers: Array<{ sent: string; response: ApiResponse }> = [];
    for (const { sent, answer } of requests) answers.push({ sent, response: await answer() });
    const [first] = answers;
    for (const { sent, response } of answers) {
      expect(response.status, `${sent}: ${response.text}`).to.equal(status);
      expect(response.text, `${sent} answers like ${first!.sent}`).to.equal(first!.response.text);
      for (const secret of betaSecrets()) expect(response.text).not.to.contain(secret);
      if (!sent.includes("beta")) expect(response.text, sent).not.to.contain("beta");
    }
    expect(t.upstreamCalls.length, "upstream calls").to.equal(calls);
  };

  describe("organization inbox API (organizationId in the path)", () => {
    const routes: Array<[string, (org: string) => [method: string, path: string, body?: unknown]]> = [
      ["list", (org) => ["GET", `/api/v1/conversations/${org}`]],
      ["stats", (org) => ["GET", `/api/v1/conversations/${org}/stats`]],
      ["search", (org) => ["GET", `/api/v1/conversations/${org}/search?q=hello`]],
      ["phone", (org) => ["GET", `/api/v1/conversations/${org}/phone/%2B15550000001`]],
      ["update", (org) => ["PATCH", `/api/v1/conversations/${org}/${MISSING_CH}`, { status: "resolved" }]],
    ];
    for (const [name, route] of routes) {
      describe(`when the ${name} route names beta's id, beta's alias, or no organization`, () => {
        it("answers one 403 body that names no tenant, without calling Twilio", async () => {
          await expectIndistinguishable(
            403,
            ["2002", "beta", "nope", "1999"].map((org) => ({
              sent: org,
              answer: () => {
                const [method, path, body] = route(org);
                return t.api("alpha").request(method, path, { body });
              },
            })),
          );
        });
      });
    }

    describe("when the refusal is read", () => {
      it("is 403 forbidden naming only the path parameter", async () => {
        const response = await t.api("alpha").get("/api/v1/conversations/2002");
        expect(response.body).to.deep.equal({ error: { code: "forbidden", message: "the token does not grant this tenant", field: "organizationId" } });
      });
    });
  });

  describe("PHP-compatible API (account_id)", () => {
    describe("when account_id is beta's id, beta's alias, or no account, in a query or a body", () => {
      it("answers the PHP backend's 404 Account not found for all of them, without calling Twilio", async () => {
        const accounts = ["2002", "beta", "nobody", "42"];
        await expectIndistinguishable(404, [
          ...accounts.map((account) => ({ sent: account, answer: () => t.api("alpha").get(`/twilio/list_conversations.php?account_id=${account}`) })),
          ...accounts.map((account) => ({ sent: account, answer: () => t.api("alpha").post("/twilio/create_conversation.php", { account_id: account }) })),
          ...accounts.map((account) => ({
            sent: account,
            answer: () => t.api("alpha").post("/twilio/send_message.php", { account_id: account, conversation_sid: MISSING_CH, body: "x" }),
          })),
        ]);
        const response = await t.api("alpha").get("/twilio/list_conversations.php?account_id=2002");
        expect(response.body).to.deep.equal({ success: false, data: { error: "Account not found", code: 404, status: 404, field: "account_id" } });
      });
    });

    describe("when the token grants no tenant at all", () => {
      it("answers the same 404", async () => {
        const response = await t.api().withToken(t.token({ tenants: [] })).get("/twilio/list_conversations.php?account_id=alpha");
        expect(response.status).to.equal(404);
        expect(response.body.data.error).to.equal("Account not found");
      });
    });
  });

  describe("chat API (X-Tenant-Id)", () => {
    describe("when X-Tenant-Id names beta, no tenant, or a tenant the token grants but this deployment does not serve", () => {
      it("answers one 403 body, without calling Twilio", async () => {
        const withGamma = t.api().withToken(t.token({ tenants: ["alpha", "gamma"] }));
        await expectIndistinguishable(403, [
          { sent: "beta", answer: () => t.api("alpha").get("/api/v1/chat/conversations", { headers: { "x-tenant-id": "beta" } }) },
          { sent: "nope", answer: () => t.api("alpha").get("/api/v1/chat/conversations", { headers: { "x-tenant-id": "nope" } }) },
          { sent: "gamma", answer: () => withGamma.get("/api/v1/chat/conversations", { headers: { "x-tenant-id": "gamma" } }) },
          { sent: "beta", answer: () => t.api("alpha").get(`/api/v1/chat/conversations/${MISSING_CH}/messages`, { headers: { "x-tenant-id": "beta" } }) },
          { sent: "nope", answer: () => t.api("alpha").post("/api/v1/chat/conversations", { friendlyName: "x" }, { headers: { "x-tenant-id": "nope" } }) },
        ]);
        const response = await t.api("alpha").get("/api/v1/chat/conversations", { headers: { "x-tenant-id": "beta" } });
        expect(response.body).to.deep.equal({ error: { code: "forbidden", message: "the token does not grant this tenant", field: "X-Tenant-Id" } });
      });
    });
  });

  describe("inbound SMS API: stored SMS (X-Tenant-Id)", () => {
    describe("when X-Tenant-Id names beta or no tenant", () => {
      it("answers one 403 body, without calling Twilio", async () => {
        const id = `${MISSING_CH}-IM${"0".repeat(32)}`;
        await expectIndistinguishable(
          403,
          ["beta", "nope"].flatMap((tenant) => [
            { sent: tenant, answer: () => t.api("alpha").get("/api/twilio/sms/stored", { headers: { "x-tenant-id": tenant } }) },
            { sent: tenant, answer: () => t.api("alpha").get(`/api/twilio/sms/stored/${id}`, { headers: { "x-tenant-id": tenant } }) },
            { sent: tenant, answer: () => t.api("alpha").post(`/api/twilio/sms/stored/${id}/mark-processed`, {}, { headers: { "x-tenant-id": tenant } }) },
            { sent: tenant, answer: () => t.api("alpha").get("/api/twilio/status", { headers: { "x-tenant-id": tenant } }) },
          ]),
        );
      });
    });
  });
});
