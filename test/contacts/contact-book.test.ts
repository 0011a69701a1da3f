import { expect } from "chai";
import pMap from "p-map";
import { ContactBook } from "../../src/contacts/contact-book.js";
import { WritePacer } from "../../src/contacts/write-pacer.js";
import { startApp, type TestApp } from "../support/start-app.js";

describe("ContactBook", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ webhooks: false });
  });
  after(() => t.close());

  describe("when paced upserts run while the book keeps falling due for its reload (a list of all of it)", () => {
    it("keeps the writes under Twilio's 30 per second: a writer never waits out a reload between its turn and its write", async () => {
      const sent: number[] = [];
      const calls = t.upstreamCalls;
      const push = calls.push.bind(calls);
      calls.push = (...added) => {
        for (const call of added)
          if (call.method === "POST" && call.status === 201 && /\/Users$/.test(new URL(call.url).pathname)) sent.push(performance.now() - call.durationMs);
        return push(...added);
      };
      // Reloaded every 500 ms, each reload taking two or three 200 ms Twilio calls; 8 writers, as an import runs them.
      const book = new ContactBook(t.app.tenants.get("alpha"), undefined, 500);
      t.emulator.setFaultPlan({ latencyMs: 200 });
      const pacer = new WritePacer(25);
      try {
        const outcomes = await pMap(
          Array.from({ length: 75 }, (_, i) => ({ phoneNumber: `+1555040${String(i).padStart(4, "0")}`, name: `P${i}` })),
          (input) => book.upsert(input, () => pacer.acquire()),
          { concurrency: 8 },
        );
        expect(outcomes.filter((outcome) => outcome === "created")).to.have.length(75);
      } finally {
        t.emulator.setFaultPlan({});
        calls.push = push;
      }
      sent.sort((a, b) => a - b);
      const busiest = Math.max(...sent.map((at) => sent.filter((other) => other >= at && other < at + 1000).length));
      expect(busiest, "writes started in the busiest second").to.be.at.most(30);
    });
  });
});
