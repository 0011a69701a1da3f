import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import type { Namespace } from "socket.io";
import { connectClient, nextEvent, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";
import { orgLiveNamespace } from "../../src/realtime/org-live-sockets.js";

/** Counts the broadcasts started on a namespace (every emit to rooms goes through `to`). */
function countBroadcasts(namespace: Namespace<any, any, any, any>): { count: number } {
  const counter = { count: 0 };
  const to = namespace.to.bind(namespace);
  namespace.to = ((room: string | string[]) => {
    counter.count++;
    return to(room);
  }) as typeof namespace.to;
  return counter;
}

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => (socket.close(), reject(error)));
  });
}

describe("realtime emits by audience", () => {
  let t: TestApp;
  let chat: ChatClient;
  let sid: string;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    t = await startApp();
    ({ sid } = await createConversation(t, { name: "Audience", phone: "+15558300001" }));
    chat = await connectClient(t.baseUrl, { token: t.token() });
    await subscribe(chat, sid);
  });
  afterEach(async () => {
    chat.close();
    sockets.splice(0).forEach((socket) => socket.close());
    await t.close();
  });

  describe("when only chat API clients are connected", () => {
    it("emits nothing on the business API's and the organization inbox's namespaces, and the chat client still hears the message", async () => {
      const business = countBroadcasts(t.realtime.io.of("/"));
      const live = countBroadcasts(t.realtime.io.of(orgLiveNamespace("alpha")));
      const received = nextEvent(chat, "message:received", (p) => p.conversationSid === sid);
      await inboundMessage(t, { from: "+15558300001", body: "for chat only" });
      expect((await received).message.body).to.equal("for chat only");
      await settle();
      expect({ business: business.count, live: live.count }).to.deep.equal({ business: 0, live: 0 });
    });
  });

  describe("when a business API client and an organization inbox client connect", () => {
    it("each hears the message on its own namespace", async () => {
      const token = t.token();
      const business = await connect(t.baseUrl, token);
      const live = await connect(`${t.baseUrl}${orgLiveNamespace("alpha")}`, token);
      sockets.push(business, live);
      const businessMessage = nextEvent(business, "message:new", (p) => p.conversationId === sid);
      const liveMessage = nextEvent(live, "new_message", (p) => p.conversation_id === sid);
      await inboundMessage(t, { from: "+15558300001", body: "for everyone" });
      expect((await businessMessage).content.text).to.equal("for everyone");
      expect((await liveMessage).message).to.be.an("object");
    });
  });
});
