import { expect } from "chai";
import { ApiClient } from "../support/api-client.js";
import { PASSWORD, signUp } from "../support/accounts.js";
import { settle } from "../support/connect-client.js";
import { startCluster, type GatewayInstance, type TestCluster } from "../support/start-cluster.js";
import { REDIS_SERVER, requireSystemProgram } from "../support/system-programs.js";

describe("accounts on two gateway instances sharing one Redis (REDIS_URL)", function () {
  this.timeout(30_000);
  let t: TestCluster;
  let a: ApiClient;
  let b: ApiClient;

  before(async function () {
    requireSystemProgram(this, REDIS_SERVER);
    // A long session-check cache: what B learns of A's revocations comes from Redis, not from its cache expiring.
    t = await startCluster({
      ACCOUNTS_PLATFORM_TENANT: "alpha",
      REGISTRATION_ENABLED: "true",
      PASSWORD_SCRYPT_COST: "10",
      SESSION_CHECK_CACHE_MS: "300000",
      LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
    });
    const client = (instance: GatewayInstance) => new ApiClient(instance.baseUrl, instance.app.contract);
    [a, b] = [client(t.instances[0]), client(t.instances[1])];
  });
  after(async () => {
    await t?.close();
  });

  describe("when a tenant signs up on A", () => {
    it("B serves it and accepts its tokens, and sees A's logout and refresh-token reuse at once", async () => {
      const grant = await signUp(a, "owner@cluster.example", "Cluster");
      const sid = (await a.withToken(grant.token).post("/api/v1/chat/conversations", { friendlyName: "made on A" })).body.sid;
      // B has never heard of the tenant: the token names it, B loads it from Twilio.
      const listed = await b.withToken(grant.token).get("/api/v1/chat/conversations");
      expect(listed.status, listed.text).to.equal(200);
      expect(listed.body.map((c: { sid: string }) => c.sid)).to.deep.equal([sid]);
      expect((await b.withToken(grant.token).get("/api/auth/me")).status).to.equal(200); // cached on B now

      await a.withToken(grant.token).post("/api/auth/logout");
      await settle(100);
      expect((await b.withToken(grant.token).get("/api/auth/me")).status).to.equal(401);

      const login = (await b.post("/api/auth/login", { email: "owner@cluster.example", password: PASSWORD }, { token: null })).body.data;
      const rotated = (await a.post("/api/auth/refresh", { refreshToken: login.refreshToken }, { token: null })).body.data;
      expect((await b.withToken(rotated.token).get("/api/auth/me")).status).to.equal(200);
      // The used refresh token again, on B: every session ends, on A too.
      expect((await b.post("/api/auth/refresh", { refreshToken: login.refreshToken }, { token: null })).status).to.equal(401);
      await settle(100);
      expect((await a.withToken(rotated.token).get("/api/auth/me")).status).to.equal(401);
    });
  });

  describe("when wrong passwords are split over both instances", () => {
    it("counts them together: the fourth attempt is locked wherever it lands", async () => {
      await signUp(a, "target@cluster.example", "Target");
      for (const api of [a, b, a]) {
        expect((await api.post("/api/auth/login", { email: "target@cluster.example", password: "a wrong guess here" }, { token: null })).status).to.equal(401);
      }
      expect((await b.post("/api/auth/login", { email: "target@cluster.example", password: PASSWORD }, { token: null })).status).to.equal(429);
    });
  });
});
