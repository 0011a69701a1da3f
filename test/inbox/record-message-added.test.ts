import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import twilio from "twilio";
import { ATTRIBUTES_MAX_BYTES } from "../../src/inbox/conversation-attributes.js";
import type { MessageRecord } from "../../src/inbox/inbox-types.js";
import { recordMessageAdded } from "../../src/inbox/record-message-added.js";
import { connectClient, nextEvent, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const ORG = "/api/v1/conversations/alpha";
const INBOUND_SMS = "/api/twilio/webhook/sms";

/** A socket on `namespace` ("/" is the business API's, `${ORG}/live` the organization inbox's), connected. */
function connectSocket(baseUrl: string, namespace: string, token: string): Promise<Socket> {
  const socket = io(`${baseUrl}${namespace}`, { auth: { token }, transports: ["websocket"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}


/** Writes of a conversation itself (its attributes), not of its messages or participants. */
const isConversationWrite = (call: { method: string; url: string }, sid: string) =>
  call.method === "POST" && new URL(call.url).pathname.endsWith(`/Conversations/${sid}`);

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

  describe("when a customer writes into a conversation the inbox resolved", () => {
    const phone = "+15558300101";
    let sid: string;
    const sockets: Socket[] = [];
    beforeEach(async () => {
      ({ sid } = await createConversation(t, { name: "Reopen", phone }));
    });
    afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));

    /** A customer's SMS as Twilio's Messaging webhook posts it, signed with the `twilio` package's own signer. */
    const postInboundSms = async (body: string, n: number) => {
      const params = {
        AccountSid: t.tenants.alpha.accountSid,
        MessageSid: `SM${String(n).padStart(32, "0")}`,
        From: phone,
        To: t.tenants.alpha.phoneNumber!,
        Body: body,
        NumMedia: "0",
      };
      const response = await t.api().withToken(null).request("POST", INBOUND_SMS, {
        rawBody: new URLSearchParams(params).toString(),
        contentType: "application/x-www-form-urlencoded",
        headers: { "x-twilio-signature": twilio.getExpectedTwilioSignature(t.tenants.alpha.authToken, `${t.baseUrl}${INBOUND_SMS}`, params) },
      });
      expect(response.status, response.text).to.equal(200);
      await t.emulator.whenIdle();
    };
    const writesDuring = async (act: () => Promise<void>) => {
      const before = t.upstreamCalls.length;
      await act();
      return t.upstreamCalls.slice(before).filter((call) => isConversationWrite(call, sid)).length;
    };
    const openBusinessIds = async () => (await t.api().get("/api/conversations?status=OPEN")).body.data.conversations.map((c: any) => c.id);
    const activeOrgIds = async () => (await t.api().get(`${ORG}?filter=active`)).body.conversations.map((c: any) => c.id);

    it("reopens it (resolved → active, CLOSED → OPEN) in the write the message's bookkeeping makes anyway; every surface lists it and hears it", async () => {
      // What one inbound message costs in conversation writes while the conversation is open: the baseline.
      const baseline = await writesDuring(() => postInboundSms("first", 1));
      expect((await t.api().patch(`${ORG}/${sid}`, { status: "resolved" })).status).to.equal(200);
      await t.emulator.whenIdle();
      expect(await openBusinessIds()).not.to.include(sid);
      expect(await activeOrgIds()).not.to.include(sid);

      const root = await connectSocket(t.baseUrl, "", t.token());
      const live = await connectSocket(t.baseUrl, `${ORG}/live`, t.token());
      sockets.push(root, live);
      const onChat = nextEvent(client, "conversation:updated", (p) => p.conversationSid === sid && JSON.parse(p.conversation.attributes).status === "active");
      const onRoot = nextEvent(root, "conversation:updated", (p) => p.id === sid && p.status === "OPEN", 5000);
      const onLive = nextEvent(live, "conversation_updated", (p) => p.conversation.id === sid && p.conversation.status === "active", 5000);

      const writes = await writesDuring(() => postInboundSms("are you still there?", 2));
      expect(writes, "the reopening is no write of its own").to.equal(baseline);
      const [chat, business, org] = await Promise.all([onChat, onRoot, onLive]);
      expect(JSON.parse(chat.conversation.attributes)).to.include({ status: "active", unreadCount: 2 });
      expect(business).to.include({ status: "OPEN", unreadCount: 2 });
      expect(org.conversation).to.include({ status: "active" });

      expect(await openBusinessIds()).to.include(sid);
      expect(await activeOrgIds()).to.include(sid);
      expect(JSON.parse((await t.api().get(`${BASE}/${sid}`)).body.attributes)).to.include({ status: "active" });
      t.app.cache.clear();
      expect(JSON.parse((await t.api().get(`${BASE}/${sid}`)).body.attributes), "in Twilio, not only in the cache").to.include({ status: "active" });
    });

    it("leaves it resolved when the message is the agent's own (sent through the chat API)", async () => {
      expect((await t.api().patch(`${ORG}/${sid}`, { status: "resolved" })).status).to.equal(200);
      const sent = await t.api().post(`${BASE}/${sid}/messages`, { body: "Closing note: all done." });
      expect(sent.status, sent.text).to.equal(201);
      await t.emulator.whenIdle();
      t.app.cache.clear();
      expect(JSON.parse((await t.api().get(`${BASE}/${sid}`)).body.attributes)).to.include({ status: "resolved" });
      expect(await openBusinessIds()).not.to.include(sid);
    });

    it("leaves a pending conversation pending (a wait the agents chose), still counting the message", async () => {
      expect((await t.api().patch(`${ORG}/${sid}`, { status: "pending" })).status).to.equal(200);
      await postInboundSms("any news?", 3);
      t.app.cache.clear();
      expect(JSON.parse((await t.api().get(`${BASE}/${sid}`)).body.attributes)).to.include({ status: "pending", unreadCount: 1 });
    });

    it("does not reopen it for a message no newer than the latest recorded (a late redelivery after the agent resolved)", async () => {
      await postInboundSms("hello", 4);
      expect((await t.api().patch(`${ORG}/${sid}`, { status: "resolved" })).status).to.equal(200);
      const inbox = t.app.tenants.get("alpha");
      const latest = JSON.parse((await inbox.gateway.fetchConversation(sid)).attributes).summary.latestMessage as MessageRecord;
      await recordMessageAdded(inbox, latest, { inbound: true, channel: "SMS", customerAddress: phone });
      expect(JSON.parse((await inbox.gateway.fetchConversation(sid)).attributes)).to.include({ status: "resolved" });
    });

    it("reopens it with a burst of 30 customer messages in a few group-committed writes, counting each", async () => {
      const inbox = t.app.tenants.get("alpha");
      expect((await t.api().patch(`${ORG}/${sid}`, { status: "resolved" })).status).to.equal(200);
      const template = (await inbox.gateway.fetchConversation(sid)).dateCreated;
      const burst: MessageRecord[] = Array.from({ length: 30 }, (_, i) => ({
        sid: `IM${String(i).padStart(32, "0")}`,
        conversationSid: sid,
        index: 100 + i,
        author: phone,
        body: `burst ${i}`,
        attributes: "{}",
        participantSid: null,
        delivery: null,
        dateCreated: template,
        dateUpdated: template,
      }));
      const writes = await writesDuring(async () => {
        await Promise.all(burst.map((message) => recordMessageAdded(inbox, message, { inbound: true, channel: "SMS", customerAddress: phone })));
      });
      // One batch starts at once, the other 29 wait for it and are written together: no extra write for the status.
      expect(writes).to.be.at.most(2);
      expect(JSON.parse((await inbox.gateway.fetchConversation(sid)).attributes)).to.include({ status: "active", unreadCount: 30 });
    });
  });
});
