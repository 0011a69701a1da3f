import { expect } from "chai";
import { parseRetryAfterMs, retryDelayMs, type RetryPolicy } from "../../src/twilio/retry-policy.js";

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const policy = (random: number, overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 5,
  baseDelayMs: 100,
  maxDelayMs: 5000,
  random: () => random,
  ...overrides,
});

describe("parseRetryAfterMs", () => {
  describe("when the header is delta-seconds", () => {
    it("returns them in milliseconds", () => {
      expect(parseRetryAfterMs("3", NOW)).to.equal(3000);
      expect(parseRetryAfterMs(" 7 ", NOW)).to.equal(7000);
      expect(parseRetryAfterMs("0", NOW)).to.equal(0);
    });
  });

  describe("when the header is an HTTP date in the future", () => {
    it("returns the time until then", () => {
      const date = new Date(NOW + 12_000).toUTCString();

      expect(parseRetryAfterMs(date, NOW)).to.equal(12_000);
    });
  });

  describe("when the header is an HTTP date in the past", () => {
    it("returns 0", () => {
      expect(parseRetryAfterMs(new Date(NOW - 60_000).toUTCString(), NOW)).to.equal(0);
    });
  });

  describe("when the header is absent or blank", () => {
    it("returns undefined", () => {
      expect(parseRetryAfterMs(undefined, NOW)).to.equal(undefined);
      expect(parseRetryAfterMs("", NOW)).to.equal(undefined);
      expect(parseRetryAfterMs("   ", NOW)).to.equal(undefined);
    });
  });

  // RFC 9110 §10.2.3: Retry-After is delta-seconds or an HTTP-date; anything else must be ignored so the
  // caller falls back to its own backoff, never read as "retry now".
  for (const garbage of ["soon", "abc", "2 days", "-1", "1.5", "later 2"]) {
    describe(`when the header is ${JSON.stringify(garbage)}`, () => {
      it("returns undefined", () => {
        expect(parseRetryAfterMs(garbage, NOW)).to.equal(undefined);
      });
    });
  }
});

describe("retryDelayMs", () => {
  describe("when random is fixed", () => {
    it("grows exponentially from baseDelayMs, between half and all of each ceiling", () => {
      const low = [1, 2, 3, 4].map((attempt) => retryDelayMs(policy(0), attempt, undefined));
      const high = [1, 2, 3, 4].map((attempt) => retryDelayMs(policy(1), attempt, undefined));
      const middle = [1, 2, 3, 4].map((attempt) => retryDelayMs(policy(0.5), attempt, undefined));

      expect(low).to.deep.equal([50, 100, 200, 400]);
      expect(high).to.deep.equal([100, 200, 400, 800]);
      expect(middle).to.deep.equal([75, 150, 300, 600]);
    });
  });

  describe("when the backoff would pass maxDelayMs", () => {
    it("is capped at maxDelayMs", () => {
      const delays = [6, 7, 20].map((attempt) => retryDelayMs(policy(1), attempt, undefined));

      expect(delays).to.deep.equal([3200, 5000, 5000]);
    });
  });

  describe("when random is left to Math.random", () => {
    it("stays within the jitter window", () => {
      const unseeded: RetryPolicy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 5000 };

      for (let i = 0; i < 50; i++) expect(retryDelayMs(unseeded, 3, undefined)).to.be.within(200, 400);
    });
  });

  describe("when Retry-After is given", () => {
    it("wins over the backoff", () => {
      expect(retryDelayMs(policy(1), 1, "2")).to.equal(2000);
      expect(retryDelayMs(policy(1), 4, "0")).to.equal(0);
    });

    it("is capped at maxDelayMs", () => {
      expect(retryDelayMs(policy(1), 1, "120")).to.equal(5000);
      expect(retryDelayMs(policy(1, { maxDelayMs: 50 }), 1, new Date(Date.now() + 60_000).toUTCString())).to.equal(50);
    });
  });

  describe("when Retry-After is unreadable", () => {
    it("falls back to the backoff", () => {
      expect(retryDelayMs(policy(0), 3, "whenever")).to.equal(200);
      expect(retryDelayMs(policy(0), 3, "-1")).to.equal(200);
    });
  });
});
