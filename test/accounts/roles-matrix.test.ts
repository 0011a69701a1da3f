import { expect } from "chai";
import { rewritePath } from "../../src/http/operation-router.js";
import { ApiClient } from "../support/api-client.js";
import { startApp, type TestApp } from "../support/start-app.js";
import { ACCOUNTS_ENV, PASSWORD, signUp } from "../support/accounts.js";

/**
 * The permission policy, stated here on its own: what an AGENT may not do (settings, people, deleting conversations
 * and messages, the account's status, creating and deleting templates or asking for their approval, deleting contacts,
 * exporting and importing them). Every other bearer operation is open to every role. The contract's x-roles
 * must say exactly this, and the server must enforce it on every operation of every surface.
 */
const OWNER_AND_ADMIN_ONLY = new Set([
  "getTwilioStatus",
  "phpDeleteMessage",
  "phpDeleteConversation",
  "listAccountUsers",
  "inviteAccountUser",
  "updateAccountUser",
  "deleteAccountUser",
  "updateTenantSettings",
  "createTemplate",
  "deleteTemplate",
  "requestTemplateApproval",
  // The business API: deleting a contact, and the bulk operations on contacts (export, import and its jobs).
  "createBusinessTemplate",
  "deleteContact",
  "exportContacts",
  "importContacts",
  "getContactImport",
  "getContactImportRejected",
]);
const ROLES = ["OWNER", "ADMIN", "AGENT"] as const;

/** Whether an answer is the role refusal (field `role`), in any of the three error envelopes. */
function isRoleRefusal(status: number, body: any): boolean {
  return status === 403 && (body?.error?.field === "role" || body?.data?.field === "role" || body?.error === "forbidden: role");
}

describe("roles: the role × operation matrix", function () {
  this.timeout(60_000);
  let t: TestApp;
  const tokens: Partial<Record<(typeof ROLES)[number], string>> = {};
  let tenantId: string;

  before(async () => {
    t = await startApp({ env: ACCOUNTS_ENV });
    const anon = new ApiClient(t.baseUrl, t.app.contract);
    const owner = await signUp(anon, "owner@matrix.example", "Matrix");
    expect(owner.user.role).to.equal("OWNER");
    tenantId = owner.tenant.id;
    tokens.OWNER = owner.token;
    for (const role of ["ADMIN", "AGENT"] as const) {
      const invited = await anon.withToken(owner.token).post("/api/users", { email: `${role.toLowerCase()}@matrix.example`, name: role, role });
      expect(invited.status, invited.text).to.equal(201);
      expect(invited.body.data.user).to.include({ role, status: "invited" });
      const accepted = await anon.post("/api/auth/password", { inviteToken: invited.body.data.inviteToken, newPassword: PASSWORD }, { token: null });
      expect(accepted.status, accepted.text).to.equal(200);
      tokens[role] = accepted.body.data.token;
    }
  });
  after(async () => {
    await t.close();
  });

  it("the contract's x-roles say exactly the stated policy", () => {
    for (const operation of t.app.contract.operations.filter((op) => op.securityScheme === "bearerAuth")) {
      const expected = OWNER_AND_ADMIN_ONLY.has(operation.operationId) ? ["OWNER", "ADMIN"] : ["OWNER", "ADMIN", "AGENT"];
      expect(operation.roles, operation.operationId).to.deep.equal(expected);
    }
  });

  for (const role of ROLES) {
    it(`a ${role} is refused exactly the operations the policy keeps from them, on every surface`, async () => {
      const mismatches: string[] = [];
      // Logout last: it ends the session of the token the other calls use (the role signs in again afterwards).
      const operations = t.app.contract.operations.filter((op) => op.securityScheme === "bearerAuth");
      operations.sort((a, b) => Number(a.operationId === "logoutAccount") - Number(b.operationId === "logoutAccount"));
      for (const operation of operations) {
        const path = rewritePath(operation.path, { "/twilio": t.config.phpCompatBasePath }).replace(/\{organizationId\}/g, tenantId).replace(/\{\w+\}/g, "x");
        const response = await fetch(`${t.baseUrl}${path}`, {
          method: operation.method.toUpperCase(),
          headers: { authorization: `Bearer ${tokens[role]}`, "content-type": "application/json" },
          body: operation.method === "get" || operation.method === "delete" ? undefined : "{}",
        });
        const text = await response.text();
        const refused = isRoleRefusal(response.status, text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined);
        const shouldRefuse = role === "AGENT" && OWNER_AND_ADMIN_ONLY.has(operation.operationId);
        if (refused !== shouldRefuse) mismatches.push(`${operation.operationId}: ${response.status} ${text.slice(0, 160)}`);
        if (response.status >= 500) mismatches.push(`${operation.operationId}: ${response.status}`);
      }
      expect(mismatches).to.deep.equal([]);
      const login = await new ApiClient(t.baseUrl, t.app.contract).post("/api/auth/login", { email: `${role.toLowerCase()}@matrix.example`, password: PASSWORD }, { token: null });
      tokens[role] = login.body.data.token;
    });
  }

  describe("when an AGENT works the inbox", () => {
    it("may read and answer conversations, but not delete them, change settings or manage people", async () => {
      const agent = new ApiClient(t.baseUrl, t.app.contract, tokens.AGENT);
      const owner = agent.withToken(tokens.OWNER!);
      const sid = (await owner.post("/api/v1/chat/conversations", { friendlyName: "shared" })).body.sid;
      expect((await agent.get(`/api/v1/chat/conversations/${sid}`)).status).to.equal(200);
      expect((await agent.post(`/api/v1/chat/conversations/${sid}/messages`, { body: "on it" })).status).to.equal(201);
      expect((await agent.patch("/api/settings", { name: "Mine now" })).status).to.equal(403);
      expect((await agent.post("/api/users", { email: "x@matrix.example", name: "X", role: "ADMIN" })).status).to.equal(403);
      const deleted = await agent.delete(`${t.config.phpCompatBasePath}/delete_conversation.php`, { body: { account_id: tenantId, conversation_sid: sid } });
      expect(deleted.status).to.equal(403);
      expect((await owner.get(`/api/v1/chat/conversations/${sid}`)).status, "the conversation is still there").to.equal(200);
      expect((await owner.get("/api/settings")).body.data.tenant.name).to.equal("Matrix");
    });
  });

  describe("when an ADMIN acts on the OWNER", () => {
    it("is refused: the OWNER can be neither demoted nor removed by others", async () => {
      const admin = new ApiClient(t.baseUrl, t.app.contract, tokens.ADMIN);
      const users = (await admin.get("/api/users")).body.data.users as Array<{ id: string; role: string }>;
      const ownerId = users.find((u) => u.role === "OWNER")!.id;
      expect((await admin.patch(`/api/users/${ownerId}`, { role: "AGENT" })).status).to.equal(403);
      expect((await admin.delete(`/api/users/${ownerId}`)).status).to.equal(403);
      expect((await admin.patch(`/api/users/${ownerId}`, { name: "Renamed" })).status).to.equal(403);
      const after = (await admin.get("/api/users")).body.data.users.find((u: { id: string }) => u.id === ownerId);
      expect(after).to.include({ role: "OWNER", name: "Olivia Owner" });
    });
  });

  describe("when the OWNER demotes an ADMIN", () => {
    it("takes effect on the ADMIN's next request with the token they hold", async () => {
      const owner = new ApiClient(t.baseUrl, t.app.contract, tokens.OWNER);
      const admin = owner.withToken(tokens.ADMIN!);
      const adminId = (await admin.get("/api/auth/me")).body.data.user.id;
      expect((await admin.get("/api/users")).status).to.equal(200);
      expect((await owner.patch(`/api/users/${adminId}`, { role: "AGENT" })).body.data.user.role).to.equal("AGENT");
      expect((await admin.get("/api/users")).status).to.equal(403);
      expect((await owner.patch(`/api/users/${adminId}`, { role: "ADMIN" })).status).to.equal(200);
      expect((await admin.get("/api/users")).status).to.equal(200);
    });
  });
});
