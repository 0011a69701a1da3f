import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { ApiClient } from "../support/api-client.js";
import { ACCOUNTS_ENV, signUp } from "../support/accounts.js";
import { connectClient, nextEvent, type ChatClient } from "../support/connect-client.js";
import { startApp, type TestApp } from "../support/start-app.js";

/** Connects to a namespace and answers the socket, or the connect_error's message. */
function connectTo(url: string, token: string): Promise<Socket | string> {
  const socket = io(url, { auth: { token }, transports: ["websocket"], forceNew: true, reconnection: false });
  return new Promise((resolve) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      resolve(error.message);
    });
  });
}

describe("Socket.IO with the sessions this gateway issues", function () {
  this.timeout(30_000);
  let t: TestApp;
  let api: ApiClient;
  const sockets: Array<Socket | ChatClient> = [];

  beforeEach(async () => {
    t = await startApp({ env: ACCOUNTS_ENV });
    api = new ApiClient(t.baseUrl, t.app.contract);
  });
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.close());
    await t.close();
  });

  describe("when a tenant is created at sign-up after the gateway started", () => {
    it("gets its organization live namespace, open to its own users only", async () => {
      const a = await signUp(api, "owner@live-a.example", "Live A");
      const b = await signUp(api, "owner@live-b.example", "Live B");

      const own = await connectTo(`${t.baseUrl}/api/v1/conversations/${a.tenant.id}/live`, a.token);
      expect(own, "A's owner on A's live namespace").not.to.be.a("string");
      sockets.push(own as Socket);
      expect(await connectTo(`${t.baseUrl}/api/v1/conversations/${a.tenant.id}/live`, b.token)).to.equal("Invalid namespace");
      expect(await connectTo(`${t.baseUrl}/api/v1/conversations/${a.tenant.id}/live`, "forged")).to.equal("Invalid namespace");
    });
  });

  describe("when the session of a connected socket ends (logout)", () => {
    it("refuses its next event, tells it session_ended and disconnects it; the same token cannot connect again", async () => {
      const a = await signUp(api, "owner@logout.example", "Logout Co");
      const client = await connectClient(t.baseUrl, { token: a.token });
      sockets.push(client);
      const ended = nextEvent(client, "session:expired");
      const disconnected = new Promise<string>((resolve) => client.once("disconnect", resolve));

      const out = await api.withToken(a.token).post("/api/auth/logout");
      expect(out.status, out.text).to.equal(200);
      const ack = await client.emitWithAck("subscribe:conversation", { conversationSid: `CH${"0".repeat(32)}` });

      expect(ack).to.have.nested.property("error.code", "unauthenticated");
      expect(await ended).to.deep.include({ code: "session_ended" });
      expect(await disconnected).to.equal("io server disconnect");
      const again = await connectClient(t.baseUrl, { token: a.token }).then(
        (socket) => (sockets.push(socket), "connected"),
        (error: Error) => error.message,
      );
      expect(again).to.equal("Authentication error");
    });
  });
});
