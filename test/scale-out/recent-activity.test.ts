import { expect } from "chai";
import { Redis } from "ioredis";
import { startCluster, type TestCluster } from "../support/start-cluster.js";
import { REDIS_SERVER, requireSystemProgram } from "../support/system-programs.js";

describe("the record of recent activity in Redis (REDIS_URL), for a tenant past the index limit", function () {
  this.timeout(30_000);
  const LIMIT = 100;
  let t: TestCluster;
  const sids: string[] = [];

  const twilioApi = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${t.emulator.baseUrl}/v1/Services/${t.tenant.conversationsServiceSid}/Conversations${path}`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${t.tenant.accountSid}:${t.tenant.authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
  const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");

  before(async function () {
    requireSystemProgram(this, REDIS_SERVER);
    t = await startCluster({ CONVERSATION_INDEX_LIMIT: String(LIMIT) });
    for (let i = 0; i < 180; i++) {
      const created = await twilioApi("", { FriendlyName: `customer ${i}`, DateCreated: day(i), DateUpdated: day(i) });
      sids.push(((await created.json()) as { sid: string }).sid);
    }
  });
  after(async () => {
    await t?.close();
  });

  describe("when a conversation is made through one instance while the other has its index loaded", () => {
    it("joins the other's list from the news on the bus, and leaves it when deleted, without that instance reading Twilio's list again", async () => {
      const [a, b] = t.instances;
      await b.api().get("/api/v1/chat/conversations?limit=5");
      await b.app.tenants.get(t.tenant.id).directory.settled();
      const listsBefore = t.emulator.requests.count((e) => e.method === "GET" && /\/Conversations$/.test(e.path));
      const created = await a.api().post("/api/v1/chat/conversations", { friendlyName: "Made through A", participants: [{ phoneNumber: "+15558407777" }] });
      expect(created.status, created.text).to.equal(201);
      await t.emulator.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 50)); // the bus publishes once per tick
      const listed = await b.api().get("/api/v1/chat/conversations?limit=5");
      expect(listed.body.map((c: any) => c.sid)).to.include(created.body.sid);
      expect(t.emulator.requests.count((e) => e.method === "GET" && /\/Conversations$/.test(e.path))).to.equal(listsBefore);

      // And leaves it when deleted through A (the PHP-compatible API).
      const deleted = await a.api().delete("/twilio/delete_conversation.php", { body: { account_id: t.tenant.id, conversation_sid: created.body.sid } });
      expect(deleted.status, deleted.text).to.equal(200);
      await t.emulator.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await b.api().get("/api/v1/chat/conversations?limit=5")).body.map((c: any) => c.sid)).to.not.include(created.body.sid);
      expect(t.emulator.requests.count((e) => e.method === "GET" && /\/Conversations$/.test(e.path))).to.equal(listsBefore);
    });
  });

  describe("when an old conversation past the limit woke up before both instances lost their memory (a restart)", () => {
    it("is still first on both instances' list, read from Redis: Twilio's newest pages alone do not hold it", async () => {
      const old = sids[10]!;
      const posted = await twilioApi(`/${old}/Messages`, { Author: "+15558405555", Body: "back after a year" }, { "X-Twilio-Webhook-Enabled": "true" });
      expect(posted.status).to.equal(201);
      await t.emulator.whenIdle();
      for (const instance of t.instances) instance.app.cache.clear(); // all either instance held in memory
      const redis = new Redis(t.redis.url);
      try {
        expect(await redis.zscore(`switchboard:activity:${t.tenant.id}`, old)).to.not.equal(null);
      } finally {
        redis.disconnect();
      }
      for (const instance of t.instances) {
        const response = await instance.api().get("/api/v1/chat/conversations?limit=50");
        expect(response.status, response.text).to.equal(200);
        const listed = response.body.map((c: any) => c.sid);
        expect(listed[0]).to.equal(old);
        expect(listed.slice(1)).to.include.members(sids.slice(-45));
      }
    });
  });
});
