import { expect } from "chai";
import { startApp, type TestApp } from "../support/start-app.js";

const CHAT = "/api/v1/chat/conversations";

describe("UpstreamGuard (through the gateway)", () => {
  describe("when Twilio keeps failing", () => {
    let t: TestApp;
    before(async () => {
      t = await startApp({ env: { UPSTREAM_BREAKER_MIN_CALLS: "4", UPSTREAM_BREAKER_RESET_MS: "400", UPSTREAM_MAX_RETRIES: "3" } });
    });
    after(() => t.close());

    it("opens the circuit: later requests get a fast 503 without reaching Twilio, then it half-opens and recovers", async () => {
      t.emulator.setFaultPlan({ failures: [{ status: 500, count: 1000 }] });
      const first = await t.api().get(CHAT);
      expect(first.status).to.equal(503);
      const callsBefore = t.emulator.requests.count();
      const fast = await t.api().get(CHAT);
      expect(fast.status).to.equal(503);
      expect(fast.headers.get("retry-after")).to.equal("1");
      expect(t.emulator.requests.count()).to.equal(callsBefore);

      t.emulator.setFaultPlan({});
      await new Promise((resolve) => setTimeout(resolve, 450));
      const recovered = await t.api().get(CHAT);
      expect(recovered.status).to.equal(200);
      expect((await t.api().post(CHAT, { friendlyName: "after the outage" })).status).to.equal(201);
    });
  });

  describe("when many writes hit one conversation at once", () => {
    let t: TestApp;
    before(async () => {
      // Twilio's own limit on (30 writes/s per conversation), with the gateway pacing at 10/s to keep this test short.
      t = await startApp({ emulator: { rateLimits: true }, env: { UPSTREAM_CONVERSATION_WRITES_PER_SECOND: "10" } });
    });
    after(() => t.close());

    it("paces them below Twilio's limit: no 429 from Twilio, every message sent", async () => {
      const sid = (await t.api().post(CHAT, { friendlyName: "Busy", participants: [{ userId: "agent-1" }] })).body.sid;
      await t.emulator.whenIdle();
      t.upstreamCalls.length = 0;
      const started = Date.now();
      const sent = await Promise.all(Array.from({ length: 25 }, (_, i) => t.api().post(`${CHAT}/${sid}/messages`, { body: `m${i}` })));
      expect(sent.map((r) => r.status)).to.deep.equal(Array(25).fill(201));
      await t.emulator.whenIdle();
      expect(t.upstreamCalls.filter((call) => call.status === 429)).to.deep.equal([]);
      // 25 message writes (summary updates are combined, so fewer of them) at 10/s: at least two seconds of pacing.
      expect(Date.now() - started).to.be.at.least(2000);
      const messages = await t.api().get(`${CHAT}/${sid}/messages?limit=50`);
      expect(messages.body).to.have.length(25);
    });
  });
});
