import { expect } from "chai";
import { startApp, type TestApp } from "../support/start-app.js";

/** A tenant with more conversations than the directory's index holds (CONVERSATION_INDEX_LIMIT). */
describe("ConversationDirectory: a tenant past the index limit", () => {
  const LIMIT = 150;
  const TOTAL = 400;
  let t: TestApp;
  /** SIDs oldest first: conversation i was created (and last active) on day i. */
  const sids: string[] = [];

  const twilioApi = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const { accountSid, authToken, conversationsServiceSid } = t.tenants.alpha;
    return fetch(`${t.emulator.baseUrl}/v1/Services/${conversationsServiceSid}/Conversations${path}`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
  };
  const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  /** A customer writes in an old conversation; Twilio's onMessageAdded webhook reaches the gateway. */
  const customerWrites = async (sid: string) => {
    expect((await twilioApi(`/${sid}/Messages`, { Author: "+15558401234", Body: "me again, a year later" }, { "X-Twilio-Webhook-Enabled": "true" })).status).to.equal(201);
    await t.emulator.whenIdle();
  };
  const firstPage = async () => {
    const response = await t.api().get("/api/v1/chat/conversations?limit=50");
    expect(response.status, response.text).to.equal(200);
    return response.body.map((c: any) => c.sid) as string[];
  };
  const newest = (n: number) => sids.slice(-n).reverse();
  /**
   * `sid` is listed ahead of every conversation nobody wrote in since the seeding (Twilio's dates have one-second
   * resolution, so conversations active within the same second as another test's may come in either order).
   */
  const expectAhead = (page: string[], sid: string) => {
    expect(page).to.include(sid);
    expect(page.indexOf(sid)).to.be.lessThan(page.indexOf(newest(1)[0]!));
    expect(page).to.include.members(newest(40));
  };

  // One tenant for the whole file (seeding is the slow part): each test wakes a different old conversation, and the
  // latest activity always tops the list.
  before(async function () {
    this.timeout(60_000);
    t = await startApp({ env: { CONVERSATION_INDEX_LIMIT: String(LIMIT) } });
    sids.length = 0;
    // Made in Twilio by another app, no webhook: the gateway learns of them only from Twilio's list.
    for (let i = 0; i < TOTAL; i++) {
      const created = await twilioApi("", { FriendlyName: `customer ${i}`, DateCreated: day(i), DateUpdated: day(i) });
      sids.push(((await created.json()) as { sid: string }).sid);
    }
  });
  after(() => t.close());

  describe("when the list is read cold", () => {
    it("chat API: the first page is the 50 newest conversations (Twilio lists oldest first unless asked by date)", async () => {
      expect(await firstPage()).to.deep.equal(newest(50));
    });

    it("pages on to the index limit once the background fill is done, newest first, and no further", async () => {
      await firstPage();
      await t.app.tenants.get("alpha").directory.settled();
      const listed: string[] = [];
      for (let offset = 0; ; offset += 50) {
        const response = await t.api().get(`/api/v1/chat/conversations?limit=50&offset=${offset}`);
        listed.push(...response.body.map((c: any) => c.sid));
        if (response.body.length < 50) break;
      }
      expect(listed).to.deep.equal(newest(LIMIT));
    });
  });

  describe("when an old conversation past the limit receives a message", () => {
    it("joins the first page from its webhook, and stays there when the index is reloaded (cache expiry)", async () => {
      const old = sids[160]!; // neither among the newest 150 nor the oldest 150
      await firstPage();
      await customerWrites(old);
      expectAhead(await firstPage(), old);
      t.app.cache.clear(); // what the cache's TTL does to the index
      expectAhead(await firstPage(), old);
    });

    it("after a restart (nothing cached yet), joins the first page from its webhook even before the index is loaded", async () => {
      t.app.cache.clear();
      const old = sids[170]!;
      await customerWrites(old);
      expectAhead(await firstPage(), old);
      // The organization inbox API lists from the same directory.
      const org = await t.api().get("/api/v1/conversations/alpha?limit=50");
      expect(org.status, org.text).to.equal(200);
      expectAhead(org.body.conversations.map((c: any) => c.id), old);
    });

    it("a new conversation made elsewhere after the start joins from its onConversationAdded webhook", async () => {
      await firstPage();
      const created = await twilioApi("", { FriendlyName: "brand new" }, { "X-Twilio-Webhook-Enabled": "true" });
      const { sid } = (await created.json()) as { sid: string };
      await t.emulator.whenIdle();
      expectAhead(await firstPage(), sid);
    });
  });
});
