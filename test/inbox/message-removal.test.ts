import { expect } from "chai";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

/**
 * Messages and conversations deleted in Twilio by another app (a REST delete with webhooks on): the message indexes
 * built before (the business API's message list, the organization inbox's search) forget them without a rebuild.
 */
describe("message indexes when Twilio deletes a message or a conversation", function () {
  this.timeout(30_000);
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  const deleteInTwilio = async (path: string) => {
    const { accountSid, authToken } = t.tenants.alpha;
    const response = await fetch(`${t.emulator.baseUrl}/v1/${path}`, {
      method: "DELETE",
      // Twilio calls the webhooks of a REST change only when asked to.
      headers: { "x-twilio-webhook-enabled": "true", authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}` },
    });
    expect(response.status, `DELETE ${path}`).to.equal(204);
    await t.emulator.whenIdle();
  };
  const listed = async () => {
    const response = await t.api("alpha").get("/api/messages?limit=100");
    expect(response.status, response.text).to.equal(200);
    return { texts: (response.body.data.messages as Array<{ content: { text: string } }>).map((m) => m.content.text), total: response.body.data.pagination.total };
  };
  const found = async (q: string) => {
    const response = await t.api().get(`/api/v1/conversations/alpha/search?q=${encodeURIComponent(q)}`);
    expect(response.status, response.text).to.equal(200);
    return (response.body.results as Array<{ content: string }>).map((r) => r.content).sort();
  };
  const pagesRead = (from: number) => t.upstreamCalls.slice(from).filter((call) => call.method === "GET" && /\/Messages\b/.test(call.url)).length;

  it("forgets a deleted message in the business list (total too) and in search, reading nothing again", async () => {
    const { phone } = await createConversation(t, { phone: "+15554600001" });
    const kept = await inboundMessage(t, { from: phone, body: "parcel one kept" });
    const gone = await inboundMessage(t, { from: phone, body: "parcel two gone" });
    expect((await listed()).texts).to.deep.equal(["parcel two gone", "parcel one kept"]);
    expect(await found("parcel")).to.deep.equal(["parcel one kept", "parcel two gone"]);

    const mark = t.upstreamCalls.length;
    await deleteInTwilio(`Conversations/${gone.conversationSid}/Messages/${gone.messageSid}`);
    expect(await listed()).to.deep.equal({ texts: ["parcel one kept"], total: 1 });
    expect(await found("parcel")).to.deep.equal(["parcel one kept"]);
    expect(pagesRead(mark), "both indexes changed in place, not rebuilt").to.equal(0);
    expect(kept.conversationSid).to.equal(gone.conversationSid);
  });

  it("forgets every message of a deleted conversation in search, documents too (as the business list already did)", async () => {
    const first = await createConversation(t, { phone: "+15554600002" });
    const second = await createConversation(t, { phone: "+15554600003" });
    await inboundMessage(t, { from: first.phone, body: "invoice from the first" });
    const other = await inboundMessage(t, { from: second.phone, body: "invoice from the second" });
    expect(await found("invoice")).to.deep.equal(["invoice from the first", "invoice from the second"]);

    await deleteInTwilio(`Conversations/${other.conversationSid}`);
    expect(await found("invoice")).to.deep.equal(["invoice from the first"]);
    // Results were already filtered by the conversations the inbox knows; the index itself lets them go too.
    expect((await t.api().get("/api/v1/conversations/alpha/search?q=invoice")).body.index.documents).to.equal(1);
    expect((await listed()).texts).to.deep.equal(["invoice from the first"]);
  });
});
