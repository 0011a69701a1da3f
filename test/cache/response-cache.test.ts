import { gunzipSync } from "node:zlib";
import { expect } from "chai";
import { encodedBody, etagOf, ResponseCache } from "../../src/cache/response-cache.js";

describe("ResponseCache", () => {
  const cache = () => new ResponseCache({ maxBytes: 1024 * 1024, ttlMs: 60_000 });
  const page = Buffer.from(JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ sid: `CH${i}`, body: "hello there" }))));

  describe("when a page is asked for in a coding twice", () => {
    it("compresses it once and hands out the same bytes", async () => {
      const responses = cache();
      let builds = 0;
      const answer = await responses.getOrBuild("k", "alpha", async () => (builds++, { body: page }));
      const first = await encodedBody(answer, "gzip");
      const again = await responses.getOrBuild("k", "alpha", async () => (builds++, { body: page }));
      expect(again).to.equal(answer);
      expect(await encodedBody(again, "gzip")).to.equal(first);
      expect(gunzipSync(first).equals(page)).to.equal(true);
      expect(builds).to.equal(1);
    });
  });

  describe("peek", () => {
    it("finds a built page without building one", async () => {
      const responses = cache();
      expect(responses.peek("k")).to.equal(undefined);
      const answer = await responses.getOrBuild("k", "alpha", async () => ({ body: page }));
      expect(responses.peek("k")).to.equal(answer);
      expect(responses.peek("other")).to.equal(undefined);
    });
  });

  describe("etagOf", () => {
    it("names the tenant, the body and the headers", () => {
      const base = etagOf("alpha", { body: page });
      expect(etagOf("alpha", { body: Buffer.from(page) })).to.equal(base);
      expect(etagOf("beta", { body: page })).not.to.equal(base);
      expect(etagOf("alpha", { body: Buffer.concat([page, Buffer.from(" ")]) })).not.to.equal(base);
      expect(etagOf("alpha", { body: page, headers: { Link: "<x>" } })).not.to.equal(base);
    });
  });
});
