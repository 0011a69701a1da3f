import { expect } from "chai";
import { seedMessages } from "../../support/seed-messages.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

describe("GET /conversations/:sid/messages?afterIndex=N (catch-up)", () => {
  let t: TestApp;
  let sid: string;
  // Read-only tests: one conversation of 130 messages serves them all.
  before(async () => {
    t = await startApp();
    sid = (await t.api().post(BASE, { friendlyName: "Catch-up", participants: [{ userId: "agent-1" }] })).body.sid;
    await seedMessages(t, "alpha", sid, Array.from({ length: 130 }, (_, i) => `m${i}`));
    await t.emulator.whenIdle();
  });
  beforeEach(() => t.app.cache.clear());
  after(() => t.close());

  describe("when a client saw messages up to index 9", () => {
    it("returns the rest oldest first, a page at a time, without gaps or duplicates", async () => {
      const seen: number[] = [];
      let next: string | undefined = `${BASE}/${sid}/messages?afterIndex=9&limit=50`;
      while (next) {
        const response: { body: any[]; headers: Headers } = await t.api().get(next);
        seen.push(...response.body.map((m) => m.index));
        next = /<([^>]+)>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      }
      expect(seen).to.deep.equal(Array.from({ length: 120 }, (_, i) => i + 10));
    });

    it("costs one upstream call per 100 missed messages", async () => {
      const before = t.upstreamCalls.length;
      await t.api().get(`${BASE}/${sid}/messages?afterIndex=119`);
      expect(t.upstreamCalls.length - before).to.equal(1);
      await t.api().get(`${BASE}/${sid}/messages?afterIndex=9&limit=5`);
      expect(t.upstreamCalls.length - before).to.equal(3);
    });
  });

  describe("when the client is up to date", () => {
    it("returns an empty list", async () => {
      const response = await t.api().get(`${BASE}/${sid}/messages?afterIndex=129`);
      expect(response.body).to.deep.equal([]);
      expect(response.headers.get("link")).to.equal(null);
    });
  });

  describe("when afterIndex is combined with order=desc", () => {
    it("responds 400 naming afterIndex", async () => {
      const response = await t.api().get(`${BASE}/${sid}/messages?afterIndex=3&order=desc`);
      expect(response.status).to.equal(400);
      expect(response.body.error.field).to.equal("afterIndex");
    });
  });
});
