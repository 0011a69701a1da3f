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
