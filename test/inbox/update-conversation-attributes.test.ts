import { expect } from "chai";
import { rewriteAttributes } from "../../src/inbox/update-conversation-attributes.js";
import { startApp, type TestApp } from "../support/start-app.js";

describe("rewriteAttributes", () => {
  let t: TestApp;
  let sid: string;
  before(async () => {
    t = await startApp({ webhooks: false });
  });
  after(() => t.close());
  beforeEach(async () => {
    sid = (await t.api().post("/api/v1/chat/conversations", { friendlyName: "Counter" })).body.sid;
  });

  describe("when 50 increments of one conversation arrive at once", () => {
    it("loses none, and combines them into a few read-and-write pairs (group commit)", async () => {
      const inbox = t.app.tenants.get("alpha");
      const before = t.upstreamCalls.length;
      await Promise.all(
        Array.from({ length: 50 }, () => rewriteAttributes(inbox, sid, (current) => ({ ...current, unreadCount: (current.unreadCount ?? 0) + 1 }))),
      );
      const calls = t.upstreamCalls.slice(before);
      const stored = await inbox.gateway.fetchConversation(sid);
      expect(JSON.parse(stored.attributes).unreadCount).to.equal(50);
      // Made in the same turn, all fifty go into one read and one write (before, the first went alone and the other
      // 49 waited for it: two of each).
      expect(calls.map((call) => call.method)).to.deep.equal(["GET", "POST"]);
    });
  });

  describe("when one change in a batch throws", () => {
    it("refuses that caller only; the others are written", async () => {
      const inbox = t.app.tenants.get("alpha");
      const bump = () => rewriteAttributes(inbox, sid, (current) => ({ ...current, unreadCount: (current.unreadCount ?? 0) + 1 }));
      const results = await Promise.allSettled([
        bump(),
        bump(),
        rewriteAttributes(inbox, sid, () => {
          throw new Error("refused");
        }),
        bump(),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
      expect(JSON.parse((await inbox.gateway.fetchConversation(sid)).attributes).unreadCount).to.equal(3);
    });
  });
});
