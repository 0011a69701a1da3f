import { expect } from "chai";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

describe("one memory budget over every tenant's message indexes (MESSAGE_INDEXES_MAX_MESSAGES)", function () {
  this.timeout(30_000);
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp({ env: { MESSAGE_INDEXES_MAX_MESSAGES: "5" } });
  });
  afterEach(() => t.close());

  /** Message pages read from Twilio for `tenantId` since `from` (the index's build reads them). */
  const pagesRead = (tenantId: string, from: number) =>
    t.upstreamCalls.slice(from).filter((call) => call.tenantId === tenantId && call.method === "GET" && /\/Messages\b/.test(call.url)).length;
  const texts = async (tenantId: "alpha" | "beta") => {
    const response = await t.api(tenantId).get("/api/messages?limit=100");
    expect(response.status, response.text).to.equal(200);
    return (response.body.data.messages as Array<{ content: { text: string } }>).map((m) => m.content.text);
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  describe("when two tenants' indexes together pass the budget", () => {
    it("drops the least recently used tenant's index, which its next list rebuilds from Twilio, complete", async () => {
      for (const tenant of ["alpha", "beta"] as const) {
        const { phone } = await createConversation(t, { tenant, phone: tenant === "alpha" ? "+15554500001" : "+15554500002" });
        for (let i = 1; i <= 3; i++) await inboundMessage(t, { tenant, from: phone, body: `${tenant} ${i}` });
      }
      let mark = t.upstreamCalls.length;
      expect(await texts("alpha")).to.deep.equal(["alpha 3", "alpha 2", "alpha 1"]);
      expect(pagesRead("alpha", mark), "alpha's index was built").to.be.greaterThan(0);
      mark = t.upstreamCalls.length;
      expect(await texts("alpha")).to.deep.equal(["alpha 3", "alpha 2", "alpha 1"]);
      expect(pagesRead("alpha", mark), "alpha's index is held").to.equal(0);

      expect(await texts("beta")).to.deep.equal(["beta 3", "beta 2", "beta 1"]); // 3 + 3 > 5: alpha's goes
      await settle();
      // A message arriving while alpha holds no index is in Twilio, so in the rebuilt index.
      await inboundMessage(t, { tenant: "alpha", from: "+15554500001", body: "alpha 4" });

      mark = t.upstreamCalls.length;
      expect(await texts("alpha")).to.deep.equal(["alpha 4", "alpha 3", "alpha 2", "alpha 1"]);
      expect(pagesRead("alpha", mark), "alpha's index was dropped and built again").to.be.greaterThan(0);
      await settle();
      mark = t.upstreamCalls.length;
      expect(await texts("beta")).to.deep.equal(["beta 3", "beta 2", "beta 1"]);
      expect(pagesRead("beta", mark), "4 + 3 > 5: beta's went in turn").to.be.greaterThan(0);
    });
  });

  describe("when the tenants' indexes fit the budget together", () => {
    it("keeps both", async () => {
      for (const tenant of ["alpha", "beta"] as const) {
        const { phone } = await createConversation(t, { tenant, phone: tenant === "alpha" ? "+15554500003" : "+15554500004" });
        for (let i = 1; i <= 2; i++) await inboundMessage(t, { tenant, from: phone, body: `${tenant} ${i}` });
      }
      await texts("alpha");
      await texts("beta");
      await settle();
      const mark = t.upstreamCalls.length;
      expect(await texts("alpha")).to.deep.equal(["alpha 2", "alpha 1"]);
      expect(await texts("beta")).to.deep.equal(["beta 2", "beta 1"]);
      expect(pagesRead("alpha", mark) + pagesRead("beta", mark)).to.equal(0);
    });
  });
});
