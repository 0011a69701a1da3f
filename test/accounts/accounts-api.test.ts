import { expect } from "chai";
import jwt from "jsonwebtoken";
import { ACCOUNTS_UPSTREAM_LABEL } from "../../src/app.js";
import { ApiClient, type ApiResponse } from "../support/api-client.js";
import { ACCOUNTS_ENV, PASSWORD, signUp } from "../support/accounts.js";
import { startApp, TEST_JWT_SECRET, type TestApp } from "../support/start-app.js";

describe("accounts API (/api/auth)", function () {
  this.timeout(30_000);
  let t: TestApp;
  let anon: ApiClient;
  const texts: string[] = [];
  const logLines: string[] = [];
  const record = <T extends ApiResponse>(response: T): T => {
    texts.push(response.text);
    return response;
  };

  before(async () => {
    t = await startApp({ env: ACCOUNTS_ENV, logLines });
    anon = new ApiClient(t.baseUrl, t.app.contract);
  });
  after(async () => {
    // The password hash is never in an answer or a log line (scrypt$… is its encoding), nor the password.
    expect(texts.join("\n")).to.not.include("scrypt$");
    expect(logLines.length).to.be.greaterThan(10);
    expect(logLines.join("\n")).to.not.include("scrypt$").and.not.include(PASSWORD);
    await t.close();
  });

  describe("when a tenant signs up, uses the chat API, refreshes, reuses an old refresh token and signs out", () => {
    it("walks the whole session life cycle", async () => {
      const grant = await signUp(anon, "Olivia@Acme.example");
      texts.push(JSON.stringify(grant));
      expect(grant.user).to.include({ role: "OWNER", email: "olivia@acme.example" });
      expect(grant.tenant).to.deep.equal({ id: grant.tenant.id, name: "Acme" });
      expect(grant.tenant.id).to.match(/^t[0-9a-f]{16}$/);

      // The token works on the chat API, in the new tenant (its own Conversations Service).
      const owner = anon.withToken(grant.token);
      const created = record(await owner.post("/api/v1/chat/conversations", { friendlyName: "first", participants: [{ userId: "olivia" }] }));
      expect(created.status, created.text).to.equal(201);
      expect((await owner.get("/api/v1/chat/conversations")).body.map((c: { sid: string }) => c.sid)).to.deep.equal([created.body.sid]);
      // Nothing of it shows in another tenant.
      expect((await t.api("alpha").get("/api/v1/chat/conversations")).body.map((c: { sid: string }) => c.sid)).to.not.include(created.body.sid);

      const refreshed = record(await anon.post("/api/auth/refresh", { refreshToken: grant.refreshToken }, { token: null }));
      expect(refreshed.status).to.equal(200);
      expect(refreshed.body.data.refreshToken).to.not.equal(grant.refreshToken);

      // The first refresh token again: someone holds a copy. Every session of the account ends.
      const reused = record(await anon.post("/api/auth/refresh", { refreshToken: grant.refreshToken }, { token: null }));
      expect(reused.status).to.equal(401);
      expect(reused.body).to.include({ success: false });
      expect((await anon.post("/api/auth/refresh", { refreshToken: refreshed.body.data.refreshToken }, { token: null })).status).to.equal(401);
      expect((await anon.withToken(refreshed.body.data.token).get("/api/v1/chat/conversations")).status).to.equal(401);
      expect((await owner.get("/api/auth/me")).status).to.equal(401);

      const login = record(await anon.post("/api/auth/login", { email: "olivia@acme.example", password: PASSWORD }, { token: null }));
      expect(login.status).to.equal(200);
      const me = record(await anon.withToken(login.body.data.token).get("/api/auth/me"));
      expect(me.body.data.user).to.include({ id: grant.user.id, role: "OWNER", status: "active" });

      const out = await anon.withToken(login.body.data.token).post("/api/auth/logout");
      expect(out.body).to.deep.equal({ success: true, data: { sessionEnded: true } });
      expect((await anon.withToken(login.body.data.token).get("/api/v1/chat/conversations")).status).to.equal(401);
      expect((await anon.post("/api/auth/refresh", { refreshToken: login.body.data.refreshToken }, { token: null })).status).to.equal(401);
    });

    it("a signed-out session's refresh token is merely dead: other sessions go on", async () => {
      const first = (await anon.post("/api/auth/login", { email: "olivia@acme.example", password: PASSWORD }, { token: null })).body.data;
      const second = (await anon.post("/api/auth/login", { email: "olivia@acme.example", password: PASSWORD }, { token: null })).body.data;
      await anon.withToken(first.token).post("/api/auth/logout");
      expect((await anon.post("/api/auth/refresh", { refreshToken: first.refreshToken }, { token: null })).status).to.equal(401);
      expect((await anon.withToken(second.token).get("/api/auth/me")).status).to.equal(200);
    });
  });

  describe("when sign-in fails", () => {
    it("answers an unknown email exactly like a wrong password", async () => {
      await signUp(anon, "known@acme.example", "Known");
      const wrong = record(await anon.post("/api/auth/login", { email: "known@acme.example", password: "not the password at all" }, { token: null }));
      const unknown = record(await anon.post("/api/auth/login", { email: "nobody@acme.example", password: "not the password at all" }, { token: null }));
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(unknown.text).to.equal(wrong.text);
    });
  });

  describe("when the email is already signed up", () => {
    it("answers 409 and creates no second tenant", async () => {
      await signUp(anon, "twice@acme.example", "Twice");
      const services = t.emulator["store" as keyof typeof t.emulator] as unknown as { services: Map<string, unknown> };
      const before = services.services.size;
      const again = record(await anon.post("/api/auth/register", { tenantName: "Again", email: "TWICE@acme.example", password: PASSWORD, name: "X" }, { token: null }));
      expect(again.status).to.equal(409);
      expect(services.services.size).to.equal(before);
    });
  });

  describe("when the password breaks NIST 800-63B's rules", () => {
    for (const [why, password] of [["is 7 characters", "abcdefg"], ["is a common password", "password123"], ["is in the published breach list (any case)", "MaVeRiCk"], ["is the email", "weak@acme.example"]]) {
      it(`answers 400 naming password when it ${why}`, async () => {
        const response = record(await anon.post("/api/auth/register", { tenantName: "W", email: "weak@acme.example", password, name: "W" }, { token: null }));
        expect(response.status).to.equal(400);
        expect(response.body).to.deep.include({ success: false, error: "validation_failed: password" });
      });
    }

    it("accepts a long passphrase without digits or symbols", async () => {
      const response = await anon.post("/api/auth/register", { tenantName: "P", email: "pass@acme.example", password: "a long passphrase with only words in it", name: "P" }, { token: null });
      expect(response.status).to.equal(201);
    });
  });

  describe("when tokens are forged, expired or of the wrong kind", () => {
    it("refuses each with 401", async () => {
      const grant = await signUp(anon, "forge@acme.example", "Forge");
      const claims = jwt.decode(grant.token) as Record<string, unknown>;
      // Signed with the external JWT secret but naming the gateway's session key: not ours.
      const forged = jwt.sign({ ...claims, role: "OWNER" }, TEST_JWT_SECRET, { algorithm: "HS256", keyid: "switchboard-session" });
      const expired = jwt.sign({ tenants: [grant.tenant.id], exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_SECRET, { subject: "x" });
      for (const token of [forged, expired, grant.refreshToken]) {
        expect((await anon.withToken(token).get("/api/v1/chat/conversations")).status).to.equal(401);
      }
      expect((await anon.post("/api/auth/refresh", { refreshToken: grant.token }, { token: null })).status).to.equal(401);
    });
  });

  describe("when a body is huge", () => {
    it("answers 413 in the accounts envelope and creates nothing", async () => {
      const response = await anon.post("/api/auth/register", { tenantName: "x".repeat(2 * 1024 * 1024), email: "huge@acme.example", password: PASSWORD, name: "H" }, { token: null });
      expect(response.status).to.equal(413);
      expect(response.body.success).to.equal(false);
      expect((await anon.post("/api/auth/login", { email: "huge@acme.example", password: PASSWORD }, { token: null })).status).to.equal(401);
    });
  });

  describe("when an invite is used", () => {
    it("sets the password once; a second use, a forged token and an expired session all answer 401", async () => {
      const owner = anon.withToken((await signUp(anon, "inviter@acme.example", "Invites")).token);
      const invited = record(await owner.post("/api/users", { email: "agent@acme.example", name: "Ann Agent", role: "AGENT" }));
      expect(invited.status).to.equal(201);
      // Before the password is set, sign-in answers like a wrong password.
      expect((await anon.post("/api/auth/login", { email: "agent@acme.example", password: PASSWORD }, { token: null })).status).to.equal(401);
      const token = invited.body.data.inviteToken as string;
      const forged = `${token.split(".")[0]}.${"A".repeat(32)}`;
      expect((await anon.post("/api/auth/password", { inviteToken: forged, newPassword: PASSWORD }, { token: null })).status).to.equal(401);
      const accepted = record(await anon.post("/api/auth/password", { inviteToken: token, newPassword: PASSWORD }, { token: null }));
      expect(accepted.status).to.equal(200);
      expect(accepted.body.data.user).to.include({ role: "AGENT", status: "active" });
      expect((await anon.post("/api/auth/password", { inviteToken: token, newPassword: "another fine passphrase" }, { token: null })).status).to.equal(401);
      expect((await anon.post("/api/auth/login", { email: "agent@acme.example", password: PASSWORD }, { token: null })).status).to.equal(200);
    });
  });

  describe("when a user changes their password", () => {
    it("needs the current one, ends every other session, and only the new password signs in", async () => {
      const first = await signUp(anon, "changer@acme.example", "Changer");
      const second = (await anon.post("/api/auth/login", { email: "changer@acme.example", password: PASSWORD }, { token: null })).body.data;
      const me = anon.withToken(first.token);
      expect((await me.post("/api/auth/password", { currentPassword: "not it at all", newPassword: "a brand new passphrase" })).status).to.equal(401);
      const changed = record(await me.post("/api/auth/password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase" }));
      expect(changed.status).to.equal(200);
      expect((await anon.withToken(second.token).get("/api/auth/me")).status).to.equal(401);
      expect((await anon.post("/api/auth/refresh", { refreshToken: second.refreshToken }, { token: null })).status).to.equal(401);
      expect((await anon.withToken(changed.body.data.token).get("/api/auth/me")).status).to.equal(200);
      expect((await anon.post("/api/auth/login", { email: "changer@acme.example", password: PASSWORD }, { token: null })).status).to.equal(401);
      expect((await anon.post("/api/auth/login", { email: "changer@acme.example", password: "a brand new passphrase" }, { token: null })).status).to.equal(200);
    });
  });

  describe("when counting upstream calls", () => {
    it("sign-in makes 3, refresh 2, and a request with a fresh session token 0 for the session check", async () => {
      const grant = await signUp(anon, "count@acme.example", "Count");
      const calls = () => t.upstreamCalls.filter((call) => call.tenantId === ACCOUNTS_UPSTREAM_LABEL).length;
      let before = calls();
      const login = await anon.post("/api/auth/login", { email: "count@acme.example", password: PASSWORD }, { token: null });
      expect(calls() - before, "sign-in: find by email, then read + write the sessions").to.equal(3);
      before = calls();
      await anon.post("/api/auth/refresh", { refreshToken: login.body.data.refreshToken }, { token: null });
      expect(calls() - before, "refresh: read + write the sessions").to.equal(2);
      before = calls();
      await anon.withToken(grant.token).get("/api/v1/chat/conversations");
      await anon.withToken(grant.token).get("/api/v1/chat/conversations");
      expect(calls() - before, "the session check reads the record this instance just wrote").to.equal(0);
      before = calls();
      await anon.withToken(grant.token).post("/api/auth/logout");
      expect(calls() - before, "logout: read + write the sessions").to.equal(2);
      before = calls();
      await signUp(anon, "count2@acme.example", "Count 2");
      const tenantCalls = t.upstreamCalls.filter((call) => call.tenantId.startsWith("t") && call.tenantId.length === 17).length;
      expect(calls() - before, "sign-up: the owner, the tenant's service, its record").to.equal(3);
      expect(tenantCalls, "and the new service's webhook registration").to.be.greaterThan(0);

      const owner = anon.withToken(grant.token);
      const relogin = (await anon.post("/api/auth/login", { email: "count@acme.example", password: PASSWORD }, { token: null })).body.data;
      const asOwner = owner.withToken(relogin.token);
      await asOwner.get("/api/users");
      before = calls();
      expect((await asOwner.get("/api/users")).body.data.users).to.have.length(1);
      expect(calls() - before, "the people of a tenant, listed again unchanged").to.equal(0);
      await asOwner.post("/api/users", { email: "new@count.example", name: "New", role: "AGENT" });
      const listed = (await asOwner.get("/api/users")).body.data.users.map((u: { email: string }) => u.email);
      expect(listed).to.have.members(["count@acme.example", "new@count.example"]);
    });
  });

  describe("when the gateway restarts", () => {
    it("keeps tenants and users: the same people sign in and see their conversations", async () => {
      const grant = await signUp(anon, "restart@acme.example", "Restart");
      const sid = (await anon.withToken(grant.token).post("/api/v1/chat/conversations", { friendlyName: "kept" })).body.sid;
      const again = await startApp({ env: ACCOUNTS_ENV, sameTwilioAs: t });
      try {
        const api = new ApiClient(again.baseUrl, again.app.contract);
        // The old instance's access token works on the new one (same keys; the session is in Twilio).
        expect((await api.withToken(grant.token).get("/api/v1/chat/conversations")).body.map((c: { sid: string }) => c.sid)).to.deep.equal([sid]);
        const login = await api.post("/api/auth/login", { email: "restart@acme.example", password: PASSWORD }, { token: null });
        expect(login.status).to.equal(200);
        expect(login.body.data.tenant).to.deep.equal({ id: grant.tenant.id, name: "Restart" });
        // A revocation on the new instance holds on the old one once its cached copy is dropped.
        await api.withToken(login.body.data.token).post("/api/auth/logout");
        expect((await api.withToken(login.body.data.token).get("/api/auth/me")).status).to.equal(401);
      } finally {
        await again.close();
      }
    });
  });
});
