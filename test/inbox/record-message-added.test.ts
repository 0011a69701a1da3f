import { expect } from "chai";
import { ATTRIBUTES_MAX_BYTES } from "../../src/inbox/conversation-attributes.js";
import { connectClient, nextEvent, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

describe("recordMessageAdded", () => {
  let t: TestApp;
  let client: ChatClient;
  beforeEach(async () => {
    t = await startApp();
    client = await connectClient(t.baseUrl, { token: t.token() });
  });
  afterEach(async () => {
    client.close();
    await t.close();
  });

  describe("when the conversation's own attributes leave no room for the gateway's summary", () => {
    it("moves the latest message with the unread count: the update and the list show the customer's message, not an older preview", async () => {
      const phone = "+15558300001";
      const { sid } = await createConversation(t, { name: "Full", phone });
      // Another app keeps a large record in the attributes (Twilio allows 16 KB): the summary no longer fits beside it.
      const { accountSid, authToken, conversationsServiceSid } = t.tenants.alpha;
      const crm = "x".repeat(ATTRIBUTES_MAX_BYTES - 320);
      const written = await fetch(`${t.emulator.baseUrl}/v1/Services/${conversationsServiceSid}/Conversations/${sid}`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-webhook-enabled": "true",
        },
        body: new URLSearchParams({ Attributes: JSON.stringify({ channel: "SMS", contactDetails: { phone }, crm }) }).toString(),
      });
      expect(written.status).to.equal(200);
      await t.emulator.whenIdle();
      // The list has read the conversation's latest message (none yet) beside its entry.
      expect((await t.api().get(`${BASE}/${sid}`)).body).not.to.have.property("latestMessage");
      await subscribe(client, sid);

      const updated = nextEvent(client, "conversation:updated", (p) => p.conversationSid === sid && JSON.parse(p.conversation.attributes).unreadCount === 1);
      await inboundMessage(t, { from: phone, body: "is my prescription ready?" });
      const { conversation } = await updated;
      expect(JSON.parse(conversation.attributes)).to.include({ crm });
      expect(conversation.latestMessage?.body).to.equal("is my prescription ready?");
      expect((await t.api().get(`${BASE}/${sid}`)).body.latestMessage?.body).to.equal("is my prescription ready?");
    });
  });
});
