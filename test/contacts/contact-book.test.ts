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

  describe("when a write is answered while the book is being read again", () => {
    it("keeps the written contact: the read that started before it does not erase it", async () => {
      // A stand-in Twilio whose list answers only when told to, so the write lands mid-read.
      const record = (sid: string, phone: string) => ({ sid, identity: `contact:${phone}`, friendlyName: null, attributes: "{}", dateCreated: "2026-12-05T00:00:00Z", dateUpdated: "2026-12-05T00:00:00Z" });
      const stored = [record("US1", "+15554700001")];
      let held: (() => void) | undefined;
      let holdList = false;
      const contacts = {
        list: async () => {
          const snapshot = [...stored];
          if (holdList) await new Promise<void>((resolve) => (held = resolve));
          return snapshot;
        },
        create: async (identity: string) => {
          const created = record("US2", identity.slice("contact:".length));
          stored.push(created);
          return created;
        },
      };
      const book = new ContactBook({ tenant: { id: "alpha" }, gateway: { contacts } } as never);
      expect((await book.all()).map((c) => c.phoneNumber)).to.deep.equal(["+15554700001"]);

      let startWrite: () => void = () => {};
      const turn = new Promise<void>((resolve) => (startWrite = resolve));
      const upsert = book.upsert({ phoneNumber: "+15554700002" }, () => turn); // past its load check, waiting its turn
      holdList = true;
      book.markStale();
      const reading = book.all(); // the read again begins, listing what Twilio held before the write
      await new Promise((resolve) => setImmediate(resolve));
      startWrite();
      expect(await upsert).to.equal("created");
      held!();
      await reading;
      expect((await book.all()).map((c) => c.phoneNumber).sort()).to.deep.equal(["+15554700001", "+15554700002"]);
    });
  });
});
