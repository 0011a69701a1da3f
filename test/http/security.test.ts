import { expect } from "chai";
import { startApp, type TestApp } from "../support/start-app.js";

const CHAT = "/api/v1/chat/conversations";

describe("HTTP hardening", () => {
  describe("security headers", () => {
    let t: TestApp;
    before(async () => {
      t = await startApp();
    });
    after(() => t.close());

    it("sends helmet's headers on API answers and errors alike", async () => {
      for (const response of [await t.api().get(CHAT), await t.api().withToken(null).get(CHAT)]) {
        expect(response.headers.get("x-content-type-options")).to.equal("nosniff");
        expect(response.headers.get("strict-transport-security")).to.contain("max-age=");
        expect(response.headers.get("content-security-policy")).to.contain("default-src 'self'");
        expect(response.headers.get("x-powered-by")).to.equal(null);
      }
    });

    it("sends them on every answer but a 304: a 200, a conditional miss, a 400, a 404 and a body-taking operation's 4xx", async () => {
      const first = await t.api().get(CHAT);
      const answers = [
        first,
        await t.api().get(CHAT, { headers: { "if-none-match": '"not-current"' } }),
        await t.api().get(`${CHAT}?limit=nope`),
        await t.api().get("/api/v1/no-such-thing"),
        await t.api().post(CHAT, { nope: true }),
      ];
      expect(answers.map((response) => response.status)).to.deep.equal([200, 200, 400, 404, 400]);
      for (const response of answers) {
        expect(response.headers.get("x-frame-options")).to.equal("SAMEORIGIN");
        expect(response.headers.get("strict-transport-security")).to.contain("max-age=");
        expect(response.headers.get("content-security-policy")).to.contain("default-src 'self'");
        expect(response.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
      }
      const notModified = await t.api().get(CHAT, { headers: { "if-none-match": first.headers.get("etag")! } });
      expect(notModified.status).to.equal(304);
      expect(notModified.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
      expect(notModified.headers.get("vary")).to.equal("Accept-Encoding");
      for (const name of ["x-frame-options", "strict-transport-security", "content-security-policy", "x-content-type-options"])
        expect(notModified.headers.get(name), name).to.equal(null);
    });
  });

  describe("rate limits", () => {
    let t: TestApp;
    before(async () => {
      t = await startApp({ env: { RATE_LIMIT_PER_USER_PER_MINUTE: "5", RATE_LIMIT_PER_IP_PER_MINUTE: "12" } });
    });
    after(() => t.close());

    it("answers 429 with Retry-After past a user's limit, without calling Twilio, and leaves other users alone", async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await t.api().get(CHAT)).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 429]);
      const calls = t.upstreamCalls.length;
      const limited = await t.api().get(CHAT);
      expect(limited.status).to.equal(429);
      expect(limited.body.error.code).to.equal("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).to.be.within(1, 60);
      expect(t.upstreamCalls.length).to.equal(calls);
      const other = t.api().withToken(t.token({ sub: "agent-2" }));
      expect((await other.get(CHAT)).status).to.equal(200);
    });

    it("limits an address too, even when every token is bad", async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await t.api().withToken("forged").get(CHAT)).status);
      expect(statuses).to.include(429);
      expect(statuses.filter((status) => status !== 429).every((status) => status === 401)).to.equal(true);
    });

    it("never limits Twilio's webhooks or the health probes", async () => {
      for (let i = 0; i < 20; i++) expect((await t.api().get("/healthz")).status).to.equal(200);
    });
  });

  describe("rate limits on conditional reads", () => {
    let t: TestApp;
    before(async () => {
      t = await startApp({ env: { RATE_LIMIT_PER_USER_PER_MINUTE: "5" } });
    });
    after(() => t.close());

    it("counts a poll answered 304 like any other request: past the limit it is a 429, not a 304", async () => {
      const first = await t.api().get(CHAT);
      expect(first.status).to.equal(200);
      const etag = first.headers.get("etag")!;
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await t.api().get(CHAT, { headers: { "if-none-match": etag } })).status);
      expect(statuses).to.deep.equal([304, 304, 304, 304, 429]);
    });
  });

  describe("GET /metrics", () => {
    let t: TestApp;
    before(async () => {
      t = await startApp();
    });
    after(() => t.close());
    const scrape = async () => {
      const response = await fetch(`${t.operatorUrl}/metrics`);
      return { status: response.status, headers: response.headers, text: await response.text() };
    };

    it("is not served on the public port", async () => {
      const response = await t.api().withToken(null).get("/metrics");

      expect(response.status).to.equal(404);
      expect(response.text).not.to.contain("switchboard_");
    });

    it("exposes request latency, upstream calls, cache and socket gauges in Prometheus format on the operators' listener, with no secret", async () => {
      await t.api().get(CHAT);
      await t.api().get(CHAT);
      const response = await scrape();
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.contain("text/plain");
      expect(response.text).to.match(/switchboard_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/chat\/conversations",status="200"\} 2/);
      expect(response.text).to.match(/switchboard_upstream_calls_total\{tenant="alpha",method="GET",status="200"\} \d+/);
      expect(response.text).to.match(/switchboard_cache_hit_ratio \d/);
      expect(response.text).to.contain("switchboard_sockets_connected 0");
      expect(response.text).to.contain('switchboard_upstream_circuit_open{tenant="alpha"} 0');
      expect(response.text).not.to.contain(t.tenants.alpha.authToken);
    });

    it("gauges what the bounded in-process structures hold: webhook dedupe keys and search index messages", async () => {
      const gauge = async (name: string) => {
        const { text } = await scrape();
        return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
      };
      const keysBefore = await gauge("switchboard_webhook_dedupe_keys");
      const conversation = await t.api().post(CHAT, { friendlyName: "Gauge", participants: [{ phoneNumber: "+15556070001" }] });
      await t.emulator.simulateInboundMessage({ accountSid: t.tenants.alpha.accountSid, from: "+15556070001", to: t.tenants.alpha.phoneNumber!, body: "gauge me" });
      await t.emulator.whenIdle();
      expect(conversation.status).to.equal(201);
      expect(await gauge("switchboard_webhook_dedupe_keys")).to.be.above(keysBefore);
      expect(await gauge("switchboard_search_index_messages")).to.equal(0); // built on the first search
      await t.api().get("/api/v1/conversations/alpha/search?q=gauge");
      expect(await gauge("switchboard_search_index_messages")).to.be.at.least(1);
    });
  });
});
