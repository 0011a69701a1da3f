import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { connectClient, subscribe } from "../support/connect-client.js";
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
