import { expect } from "chai";
import { InboxCache, tenantKey, type InboxCacheOptions } from "../../src/cache/inbox-cache.js";

const roomy: InboxCacheOptions = { maxEntries: 1000, maxBytes: 1024 * 1024, ttlMs: 60_000 };
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loader that counts its calls and resolves after `ms`. */
function slowLoader<T>(value: T, ms = 10) {
  const loader = async () => {
    loader.calls++;
    await delay(ms);
    return value;
  };
  loader.calls = 0;
  return loader;
}

describe("InboxCache", () => {
  describe("when far more bytes are inserted than maxBytes allows", () => {
    it("keeps the summed size within maxBytes, evicting the least recently used", () => {
      const cache = new InboxCache({ maxEntries: 100_000, maxBytes: 10_000, ttlMs: 60_000 });
      const value = (i: number) => ({ i, text: "x".repeat(200) });

      for (let i = 0; i < 1000; i++) cache.set(`k${i}`, value(i));

      const { bytes, entries } = cache.stats();
      expect(bytes).to.be.at.most(10_000);
      expect(bytes).to.be.greaterThan(5_000);
      expect(entries).to.be.lessThan(1000);
      expect(cache.get("k999")).to.deep.equal(value(999));
      expect(cache.get("k0")).to.equal(undefined);
    });
  });

  describe("when the caller gives a value's size", () => {
    it("counts that size, without serialising the value", () => {
      const cache = new InboxCache(roomy);
      // A value JSON cannot serialise: measuring it that way would throw.
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      cache.set("a", cyclic, 1234);
      cache.fill("b", { text: "x" }, 766);
      expect(cache.stats().bytes).to.equal(2000);
    });
  });

  describe("when one value is larger than maxBytes", () => {
    it("does not store it and keeps the bound", () => {
      const cache = new InboxCache({ maxEntries: 10, maxBytes: 2048, ttlMs: 60_000 });
      cache.set("small", { ok: true });

      cache.set("huge", { text: "x".repeat(4096) });

      expect(cache.get("huge")).to.equal(undefined);
      expect(cache.stats().bytes).to.be.at.most(2048);
    });
  });

  describe("when more entries are inserted than maxEntries", () => {
    it("keeps maxEntries, evicting the least recently used", () => {
      const cache = new InboxCache({ maxEntries: 10, maxBytes: 1024 * 1024, ttlMs: 60_000 });
      for (let i = 0; i < 10; i++) cache.set(`k${i}`, { i });
      cache.get("k0"); // k0 becomes the most recently used

      for (let i = 10; i < 50; i++) {
        cache.set(`k${i}`, { i });
        if (i < 15) cache.get("k0");
      }

      expect(cache.stats().entries).to.equal(10);
      expect(cache.get("k1")).to.equal(undefined);
      expect(cache.get("k49")).to.deep.equal({ i: 49 });
    });
  });

  describe("when an entry outlives ttlMs", () => {
    it("is no longer returned", async () => {
      const cache = new InboxCache({ ...roomy, ttlMs: 30 });
      cache.set("k", { v: 1 });
      expect(cache.get("k")).to.deep.equal({ v: 1 });

      await delay(60);

      expect(cache.get("k")).to.equal(undefined);
    });

    it("is loaded again by getOrLoad", async () => {
      const cache = new InboxCache({ ...roomy, ttlMs: 30 });
      const load = slowLoader({ v: 1 }, 1);
      await cache.getOrLoad("k", load);

      await delay(60);
      await cache.getOrLoad("k", load);

      expect(load.calls).to.equal(2);
    });
  });

  describe("when 10 callers load one cold key at once", () => {
    it("calls the loader once and gives every caller its value", async () => {
      const cache = new InboxCache(roomy);
      const load = slowLoader({ v: "shared" });

      const results = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad("k", load)));

      expect(load.calls).to.equal(1);
      for (const result of results) expect(result).to.deep.equal({ v: "shared" });
      await cache.getOrLoad("k", load);
      expect(load.calls).to.equal(1);
    });
  });

  describe("when a load fails", () => {
    it("rejects every waiting caller and caches nothing", async () => {
      const cache = new InboxCache(roomy);
      let calls = 0;
      const failing = async () => {
        calls++;
        await delay(5);
        throw new Error("upstream down");
      };

      const outcomes = await Promise.allSettled([cache.getOrLoad("k", failing), cache.getOrLoad("k", failing)]);
      const retried = await cache.getOrLoad("k", async () => ({ v: "recovered" }));

      expect(calls).to.equal(1);
      expect(outcomes.map((o) => o.status)).to.deep.equal(["rejected", "rejected"]);
      expect((outcomes[0] as PromiseRejectedResult).reason.message).to.equal("upstream down");
      expect(retried).to.deep.equal({ v: "recovered" });
    });
  });

  describe("when the key is written while its load is in flight", () => {
    it("still answers the load's callers and keeps the written value", async () => {
      const cache = new InboxCache(roomy);
      const loading = cache.getOrLoad("k", slowLoader({ v: "loaded" }));

      cache.set("k", { v: "written" });
      const outcome = await loading.then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );

      expect(outcome).to.have.property("value");
      expect(cache.get("k")).to.deep.equal({ v: "written" });
    });
  });

  describe("when the key is deleted while its load is in flight", () => {
    it("still answers the load's callers and never caches what was loaded before the delete", async () => {
      const cache = new InboxCache(roomy);
      let version = 0;
      const load = async () => {
        const loaded = { version: ++version };
        await delay(10);
        return loaded;
      };
      const loading = cache.getOrLoad("k", load);

      cache.delete("k");
      const outcome = await loading.then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );

      expect(outcome).to.have.property("value");
      expect(cache.get("k")).not.to.deep.equal({ version: 1 });
    });
  });

  describe("when the cache is cleared while a load is in flight", () => {
    it("still answers the load's callers", async () => {
      const cache = new InboxCache(roomy);
      const loading = cache.getOrLoad("k", slowLoader({ v: "loaded" }));

      cache.clear();
      const outcome = await loading.then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );

      expect(outcome).to.deep.equal({ value: { v: "loaded" } });
    });
  });

  describe("generations", () => {
    describe("when read twice without a bump", () => {
      it("returns the same token", () => {
        const cache = new InboxCache(roomy);

        expect(cache.generation("g")).to.equal(cache.generation("g"));
      });
    });

    describe("when bumped", () => {
      it("changes the token, so entries keyed by the old one are no longer found", async () => {
        const cache = new InboxCache(roomy);
        const keyOf = () => `page|${cache.generation("g")}`;
        const load = slowLoader({ page: 1 }, 1);
        await cache.getOrLoad(keyOf(), load);
        const before = cache.generation("g");

        const bumped = cache.bumpGeneration("g");
        await cache.getOrLoad(keyOf(), load);

        expect(bumped).not.to.equal(before);
        expect(cache.generation("g")).to.equal(bumped);
        expect(load.calls).to.equal(2);
      });

      it("leaves other generations alone", () => {
        const cache = new InboxCache(roomy);
        const other = cache.generation("other");

        cache.bumpGeneration("g");

        expect(cache.generation("other")).to.equal(other);
      });
    });

    describe("when the generation entry itself was evicted", () => {
      it("never hands out an old token again", () => {
        const cache = new InboxCache(roomy);
        const seen = new Set([cache.generation("g"), cache.bumpGeneration("g")]);

        cache.clear();
        const fresh = cache.generation("g");

        expect(seen.has(fresh)).to.equal(false);
      });
    });
  });

  describe("stats", () => {
    it("counts hits and misses of get and getOrLoad", async () => {
      const cache = new InboxCache(roomy);
      cache.get("a");
      cache.set("a", { v: 1 });
      cache.get("a");
      await cache.getOrLoad("b", async () => ({ v: 2 }));
      await cache.getOrLoad("b", async () => ({ v: 3 }));

      expect(cache.stats()).to.deep.include({ hits: 2, misses: 2, entries: 2 });
    });
  });
});

describe("tenantKey", () => {
  describe("when an expired entry is never read again", () => {
    it("is swept out, so it no longer counts against the bounds", async () => {
      const cache = new InboxCache({ ...roomy, ttlMs: 30 });
      cache.set("k", { v: "x".repeat(1000) });
      expect(cache.stats().bytes).to.be.greaterThan(1000);

      await delay(1_100); // the sweep runs at least every second

      expect(cache.stats()).to.include({ entries: 0, bytes: 0 });
    });
  });

  describe("when a generation is bumped", () => {
    it("deletes the entries derived from the old one at once, and nothing else", async () => {
      const cache = new InboxCache(roomy);
      const generation = cache.generation("t|gen");
      await cache.getOrLoad(`t|page|${generation}|a`, async () => ({ items: [1] }));
      await cache.getOrLoad(`t|page|${generation}|b`, async () => ({ items: [2] }));
      cache.addDependent("t|gen", `t|page|${generation}|a`);
      cache.addDependent("t|gen", `t|page|${generation}|b`);
      cache.set("t|other", { v: 1 });

      const next = cache.bumpGeneration("t|gen");

      expect(next).to.not.equal(generation);
      expect(cache.get(`t|page|${generation}|a`)).to.equal(undefined);
      expect(cache.get(`t|page|${generation}|b`)).to.equal(undefined);
      expect(cache.get("t|other")).to.deep.equal({ v: 1 });
      expect(cache.generation("t|gen")).to.equal(next);
    });
  });

  it("scopes every key by tenant", () => {
    expect(tenantKey("alpha", "conv", "CH1")).to.equal("alpha|conv|CH1");
    expect(tenantKey("alpha", "conv", "CH1")).not.to.equal(tenantKey("beta", "conv", "CH1"));
  });
});
