import { expect } from "chai";
import { startApp, type TestApp } from "../support/start-app.js";

describe("ConversationDirectory", () => {
  let t: TestApp;
  let kept: string;
  let deleted: string;

  /** Twilio's REST API as another app uses it, with no webhook (no X-Twilio-Webhook-Enabled). */
  const twilioApi = (path: string, init: { method: string; form?: Record<string, string> }) => {
    const { accountSid, authToken, conversationsServiceSid } = t.tenants.alpha;
    return fetch(`${t.emulator.baseUrl}/v1/Services/${conversationsServiceSid}/Conversations${path}`, {
      method: init.method,
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
  };
  const createElsewhere = async (name: string, phone: string) => {
    const { sid } = (await (await twilioApi("", { method: "POST", form: { FriendlyName: name } })).json()) as { sid: string };
    await twilioApi(`/${sid}/Messages`, { method: "POST", form: { Author: phone, Body: `a parcel question from ${name}` } });
    return sid;
  };

  beforeEach(async () => {
    t = await startApp();
    kept = await createElsewhere("Kept", "+15558400001");
    deleted = await createElsewhere("Deleted", "+15558400002");
    // The gateway learns of both (its index), without reading their details yet: no conversation is starred.
    expect((await t.api().get("/api/v1/chat/conversations?filter=starred")).body).to.deep.equal([]);
    // Deleted in Twilio by another app; its onConversationRemoved has not reached the gateway (late, or lost).
    expect((await twilioApi(`/${deleted}`, { method: "DELETE" })).status).to.equal(204);
  });
  afterEach(() => t.close());

  describe("when it remembers a conversation", () => {
    it("counts the entry in the cache within 10 % of its JSON's size", async () => {
      const inbox = t.app.tenants.get("alpha");
      const record = {
        sid: `CH${"a".repeat(32)}`,
        accountSid: `AC${"b".repeat(32)}`,
        chatServiceSid: `IS${"c".repeat(32)}`,
        friendlyName: "Size check",
        uniqueName: null,
        attributes: JSON.stringify({
          unreadCount: 3,
          contactDetails: { phone: "+15550001111", email: "someone@example.com" },
          summary: { latestMessage: { sid: `IM${"d".repeat(32)}`, index: 4, author: "+15550001111", body: "a \"quoted\" reply, with a line\nbreak", dateCreated: "2026-12-05T03:00:00.000Z" } },
          counters: { days: { "2026-12-05": [1, 3, 0, 0, 0] } },
        }),
        state: "active" as const,
        dateCreated: "2026-12-05T02:00:00.000Z",
        dateUpdated: "2026-12-05T03:00:00.000Z",
      };
      const before = t.app.cache.stats().bytes;
      const entry = inbox.directory.remember(record);
      const counted = t.app.cache.stats().bytes - before;
      const json = Buffer.byteLength(JSON.stringify(entry));
      expect(Math.abs(counted - json) / json, `${counted} counted for ${json} bytes of JSON`).to.be.below(0.1);
    });
  });

  describe("when a listed conversation is gone from Twilio before the list reads its details", () => {
    it("chat API: the list answers without it (not 404), and forgets it", async () => {
      const response = await t.api().get("/api/v1/chat/conversations");
      expect(response.status, response.text).to.equal(200);
      expect(response.body.map((c: any) => c.sid)).to.deep.equal([kept]);
      expect(t.app.tenants.get("alpha").directory.peek(deleted)).to.equal(undefined);
    });

    it("organization inbox API: the list answers without it", async () => {
      const response = await t.api().get("/api/v1/conversations/alpha");
      expect(response.status, response.text).to.equal(200);
      expect(response.body.conversations.map((c: any) => c.id)).to.deep.equal([kept]);
    });

    it("inbound SMS API: the stored SMS answer without its messages", async () => {
      const response = await t.api().get("/api/twilio/sms/stored");
      expect(response.status, response.text).to.equal(200);
      expect(response.body.messages.map((m: any) => m.conversationSid)).to.deep.equal([kept]);
    });

    it("organization inbox API: the first search builds its index without it", async () => {
      const response = await t.api().get("/api/v1/conversations/alpha/search?q=parcel");
      expect(response.status, response.text).to.equal(200);
      expect(response.body.results.map((r: any) => r.conversation_id)).to.deep.equal([kept]);
    });
  });
});
