import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Server } from "socket.io";
import { io, type Socket } from "socket.io-client";
import twilio from "twilio";
import { attachOrgLiveSockets } from "../../src/realtime/org-live-sockets.js";
import { CONVERSATION_WEBHOOK_FILTERS, CONVERSATION_WEBHOOK_PATH } from "../../src/webhooks/register-webhooks.js";
import { startReceiver } from "../emulator/webhook-receiver.js";
import { connectClient, subscribe } from "../support/connect-client.js";
import { createConversation } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

const CHAT = "/api/v1/chat/conversations";

function connectLive(t: TestApp, organizationId: string, token: string): Promise<Socket> {
  const socket = io(`${t.baseUrl}/api/v1/conversations/${organizationId}/live`, { auth: { token }, transports: ["websocket"] });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

const next = (socket: Socket, event: string, match: (p: any) => boolean = () => true) =>
  new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event}`)), 3000);
    const listener = (payload: any) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });

describe("Socket.IO /api/v1/conversations/{organizationId}/live (seed 003 names)", () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.close());
    await t.close();
  });

  it("refuses an organization the token does not grant", async () => {
    const error = await connectLive(t, "beta", t.token({ tenants: ["alpha"] })).catch((e: Error) => e);
    expect((error as Error).message).to.equal("Authentication error");
  });

  it("emits new_message and conversation_updated for the organization, and relays typing between surfaces", async () => {
    const sid = (await t.api().post(CHAT, { friendlyName: "Ivy", participants: [{ phoneNumber: "+15558000001" }] })).body.sid;
    await t.emulator.whenIdle();
    const live = await connectLive(t, "alpha", t.token());
    const otherOrg = await connectLive(t, "beta", t.token({ tenants: ["beta"] }));
    sockets.push(live, otherOrg);
    const heardByOther: string[] = [];
    otherOrg.onAny((event) => heardByOther.push(event));

    const message = next(live, "new_message");
    const updated = next(live, "conversation_updated", (p) => p.conversation.unread_count === 1);
    await t.emulator.simulateInboundMessage({ accountSid: t.tenants.alpha.accountSid, from: "+15558000001", to: t.tenants.alpha.phoneNumber!, body: "hello there" });
    expect(await message).to.deep.include({ conversation_id: sid });
    expect((await message).message).to.include({ content: "hello there", sender_type: "patient", sender_name: "Ivy" });
    expect((await updated).conversation).to.include({ id: sid, last_message: "hello there", source: "sms" });

    const chat = await connectClient(t.baseUrl, { token: t.token({ sub: "agent-typing" }) });
    try {
      await subscribe(chat, sid);
      const typing = next(live, "typing_indicator");
      chat.emit("typing:start", { conversationSid: sid });
      expect(await typing).to.deep.equal({ conversation_id: sid, user_id: "agent-typing", is_typing: true });
      const relayed = new Promise<any>((resolve) => chat.once("typing:stop", resolve));
      live.emit("typing_indicator", { conversation_id: sid, is_typing: false });
      expect(await relayed).to.deep.equal({ conversationSid: sid, userId: "agent-1" });
    } finally {
      chat.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heardByOther).to.deep.equal([]);
  });
});

/**
 * Twilio's webhooks held back and relayed in a chosen order: the emulator posts them to a receiver, the test hands
 * each one to the gateway when it wants, signed as Twilio signs (the `twilio` package's own signer).
 */
async function relayedWebhooks(t: TestApp) {
  const receiver = await startReceiver();
  const { accountSid, authToken, conversationsServiceSid } = t.tenants.alpha;
  t.emulator.configureWebhooks(accountSid, conversationsServiceSid, { postWebhookUrl: receiver.url, filters: CONVERSATION_WEBHOOK_FILTERS });
  const url = `${t.baseUrl}${CONVERSATION_WEBHOOK_PATH}`;
  return {
    /** Delivers the held webhook of `eventType` matching `match` to the gateway now; fails unless it answers 200. */
    async relay(eventType: string, match: (params: Record<string, string>) => boolean = () => true) {
      await t.emulator.whenIdle();
      const held = receiver.received.find(({ params }) => params.EventType === eventType && match(params));
      if (!held) throw new Error(`Twilio sent no ${eventType}`);
      receiver.received.splice(receiver.received.indexOf(held), 1);
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, url, held.params) },
        body: new URLSearchParams(held.params).toString(),
      });
      expect(response.status, await response.text()).to.equal(200);
    },
    close: receiver.close,
  };
}

describe("conversation_updated on /api/v1/conversations/{organizationId}/live", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  describe("when a held (coalesced) update goes out after a customer's message was recorded but before Twilio reported that write", () => {
    it("carries the state Twilio reported in that update — not its unread count with an older preview (a badge with no message)", async () => {
      const { accountSid, authToken, conversationsServiceSid } = t.tenants.alpha;
      const { sid } = await createConversation(t, { name: "Ivy", phone: "+15558200001" });
      // The organization's live feed with a window no update ends by itself: what it holds goes out when it stops.
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const ioServer = new Server(server);
      const stopLive = attachOrgLiveSockets(ioServer, { ...t.app, conversationUpdateIntervalMs: 3_600_000 });
      const webhooks = await relayedWebhooks(t);
      const live = io(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/conversations/alpha/live`, {
        auth: { token: t.token() },
        transports: ["websocket"],
      });
      try {
        await new Promise<void>((resolve) => live.once("connect", () => resolve()));
        const updates: any[] = [];
        live.on("conversation_updated", ({ conversation }) => updates.push(conversation));
        const rename = async (friendlyName: string) => {
          const response = await fetch(`${t.emulator.baseUrl}/v1/Services/${conversationsServiceSid}/Conversations/${sid}`, {
            method: "POST",
            headers: {
              authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
              "content-type": "application/x-www-form-urlencoded",
              "x-twilio-webhook-enabled": "true",
            },
            body: new URLSearchParams({ FriendlyName: friendlyName }).toString(),
          });
          expect(response.status).to.equal(200);
          await webhooks.relay("onConversationUpdated", (params) => params.FriendlyName === friendlyName);
        };
        await rename("Ivy B."); // goes out at once
        await rename("Ivy Brown"); // held: the window is open
        await t.emulator.simulateInboundMessage({ accountSid, from: "+15558200001", to: t.tenants.alpha.phoneNumber!, body: "results?" });
        // The message is recorded (unread 1, preview "results?"); Twilio's report of that write is still on its way.
        await webhooks.relay("onMessageAdded");
        stopLive();
        while (updates.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(updates[1], JSON.stringify(updates[1])).to.deep.include({ patient_name: "Ivy Brown", unread_count: 0, last_message: null, message_count: 0 });
      } finally {
        live.close();
        await webhooks.close();
        await new Promise<void>((resolve) => ioServer.close(() => resolve()));
      }
    });
  });
});
