import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

describe("Twilio emulator: fault plan and request log", () => {
  let f: EmulatorFixture;
  beforeEach(async () => {
    f = await startEmulator();
  });
  afterEach(async () => {
    await f.emulator.stop();
  });

  describe("when a 429 is planned for the next matching call", () => {
    it("answers 20429 with Retry-After once, then serves normally", async () => {
      f.emulator.setFaultPlan({ failures: [{ status: 429, count: 1, retryAfterSeconds: 2, method: "POST", pathPattern: /\/Conversations$/ }] });
      const limited = await f.call("POST", "/v1/Conversations");
      const next = await f.call("POST", "/v1/Conversations");
      expect(limited.status).to.equal(429);
      expect(limited.body.code).to.equal(20429);
      expect(limited.headers.get("retry-after")).to.equal("2");
      expect(next.status).to.equal(201);
    });
  });

  describe("when latency is planned", () => {
    it("delays every REST call", async () => {
      f.emulator.setFaultPlan({ latencyMs: 60 });
      const started = Date.now();
      await f.call("GET", "/v1/Conversations");
      expect(Date.now() - started).to.be.at.least(55);
    });
  });

  describe("when requests are made", () => {
    it("logs each exchange with its form and status, and notifies listeners", async () => {
      const seen: number[] = [];
      const stop = f.emulator.onExchange((exchange) => seen.push(exchange.status));
      await f.call("POST", "/v1/Conversations", { FriendlyName: "logged" });
      stop();
      expect(f.emulator.requests.count((e) => e.method === "POST")).to.equal(1);
      const [entry] = f.emulator.requests.entries;
      expect(entry).to.include({ path: "/v1/Conversations", status: 201, accountSid: f.accountSid });
      expect(entry!.form).to.deep.equal({ FriendlyName: "logged" });
      expect(seen).to.deep.equal([201]);
    });
  });

  describe("when rate limits are on and a conversation takes over 30 writes in a second", () => {
    it("answers 429 with code 50063", async () => {
      await f.emulator.stop();
      f = await startEmulator({ rateLimits: true });
      const sid = (await f.call("POST", "/v1/Conversations")).body.sid;
      const statuses = await Promise.all(
        Array.from({ length: 32 }, () => f.call("POST", `/v1/Conversations/${sid}/Messages`, { Body: "x" })),
      );
      const limited = statuses.filter((r) => r.status === 429);
      expect(limited.length).to.be.greaterThan(0);
      expect(limited[0]!.body.code).to.equal(50063);
    });
  });
});
