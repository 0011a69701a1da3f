import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Server } from "socket.io";
import { Manager, io, type Socket } from "socket.io-client";
import twilio from "twilio";
import { attachOrgLiveSockets } from "../../src/realtime/org-live-sockets.js";
import { CONVERSATION_WEBHOOK_FILTERS, CONVERSATION_WEBHOOK_PATH } from "../../src/webhooks/register-webhooks.js";
import { startReceiver } from "../emulator/webhook-receiver.js";
import { connectClient, subscribe } from "../support/connect-client.js";
import { createConversation } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";
import { nextEvent } from "../support/connect-client.js";

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

  const refusal = (organizationId: string, token: string) =>
    connectLive(t, organizationId, token).then(
      (socket) => (socket.close(), undefined),
      (error: Error & { data?: unknown }) => ({ message: error.message, data: error.data }),
    );
  /** Socket.IO's private map of namespaces: what every broadcast may walk. */
  const namespaceCount = () => (t.realtime.io as unknown as { _nsps: Map<string, unknown> })._nsps.size;

  it("answers an organization the token does not grant, one that does not exist and a bad token alike", async () => {
    const alphaToken = t.token({ tenants: ["alpha"] });
    const answers = [
      await refusal("beta", alphaToken), // exists, not granted
      await refusal("gamma", alphaToken), // does not exist
      await refusal("beta", "not-a-token"),
      await refusal("beta", t.token({ tenants: ["beta"], expiresIn: -10 })),
    ];
    // Socket.IO's own answer to a namespace it does not serve: nothing says which organizations exist.
    for (const answer of answers) expect(answer).to.deep.equal({ message: "Invalid namespace", data: undefined });
  });

  describe("when one WebSocket asks for thousands of organization namespaces it may not have", () => {
    it("creates none of them, and webhooks still reach the organization's sockets", async () => {
      const sid = (await t.api().post(CHAT, { friendlyName: "Jo", participants: [{ phoneNumber: "+15558000002" }] })).body.sid;
      await t.emulator.whenIdle();
      const live = await connectLive(t, "alpha", t.token());
      sockets.push(live);
      const before = namespaceCount();

      const flooder = new Manager(t.baseUrl, { transports: ["websocket"], reconnection: false });
      const ask = (organizationId: string, token: string) =>
        new Promise<string>((resolve) => {
          const socket = flooder.socket(`/api/v1/conversations/${organizationId}/live`, { auth: { token } });
          socket.once("connect", () => resolve("connected"));
          socket.once("connect_error", (error) => resolve(error.message));
          socket.connect();
        });
      const betaToken = t.token({ tenants: ["beta"] });
      const answers = await Promise.all([
        ...Array.from({ length: 1000 }, (_, i) => ask(`junk${i}`, "not-a-token")),
        ...Array.from({ length: 1000 }, (_, i) => ask(`unknown${i}`, betaToken)),
        ...Array.from({ length: 1000 }, () => ask("alpha", betaToken)),
      ]);
      flooder.engine.close();

      expect(new Set(answers)).to.deep.equal(new Set(["Invalid namespace"]));
      expect(namespaceCount()).to.equal(before);
      const message = nextEvent(live, "new_message");
      await t.emulator.simulateInboundMessage({ accountSid: t.tenants.alpha.accountSid, from: "+15558000002", to: t.tenants.alpha.phoneNumber!, body: "still here" });
      expect(await message).to.deep.include({ conversation_id: sid });
    });
  });

  describe("when the organization has aliases", () => {
    it("serves its id and every alias, each hearing the organization's events once", async () => {
      const aliased = await startApp({ aliases: { alpha: ["2001", "acme"] } });
      const opened: Socket[] = [];
      try {
        const sid = (await aliased.api().post(CHAT, { friendlyName: "Kim", participants: [{ phoneNumber: "+15558000003" }] })).body.sid;
        await aliased.emulator.whenIdle();
        for (const name of ["alpha", "2001", "acme"]) opened.push(await connectLive(aliased, name, aliased.token()));
        const heard = opened.map(() => [] as string[]);
        opened.forEach((socket, i) => socket.on("new_message", (payload: any) => heard[i]!.push(payload.message.content)));

        const all = Promise.all(opened.map((socket) => nextEvent(socket, "new_message")));
        await aliased.emulator.simulateInboundMessage({ accountSid: aliased.tenants.alpha.accountSid, from: "+15558000003", to: aliased.tenants.alpha.phoneNumber!, body: "hi all" });
        for (const payload of await all) expect(payload).to.deep.include({ conversation_id: sid });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(heard).to.deep.equal([["hi all"], ["hi all"], ["hi all"]]);
      } finally {
        opened.forEach((socket) => socket.close());
        await aliased.close();
      }
    });
  });

  it("emits new_message and conversation_updated for the organization, and relays typing between surfaces", async () => {
    const sid = (await t.api().post(CHAT, { friendlyName: "Ivy", participants: [{ phoneNumber: "+15558000001" }] })).body.sid;
    await t.emulator.whenIdle();
    const live = await connectLive(t, "alpha", t.token());
    const otherOrg = await connectLive(t, "beta", t.token({ tenants: ["beta"] }));
    sockets.push(live, otherOrg);
    const heardByOther: string[] = [];
    otherOrg.onAny((event) => heardByOther.push(event));

    const message = nextEvent(live, "new_message");
    const updated = nextEvent(live, "conversation_updated", (p) => p.conversation.unread_count === 1);
    await t.emulator.simulateInboundMessage({ accountSid: t.tenants.alpha.accountSid, from: "+15558000001", to: t.tenants.alpha.phoneNumber!, body: "hello there" });
    expect(await message).to.deep.include({ conversation_id: sid });
    expect((await message).message).to.include({ content: "hello there", sender_type: "patient", sender_name: "Ivy" });
    expect((await updated).conversation).to.include({ id: sid, last_message: "hello there", source: "sms" });

    const chat = await connectClient(t.baseUrl, { token: t.token({ sub: "agent-typing" }) });
    try {
      await subscribe(chat, sid);
      const typing = nextEvent(live, "typing_indicator");
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
