import { expect } from "chai";
import { io } from "socket.io-client";
import { ApiClient } from "../support/api-client.js";
import { ACCOUNTS_ENV, PASSWORD, signUp } from "../support/accounts.js";
import { connectClient, nextEvent, recordEvents, settle, subscribe } from "../support/connect-client.js";
import { startApp, type TestApp } from "../support/start-app.js";

/** Connects to a namespace and answers "connected" or the connect_error's message. */
function connectOutcome(url: string, token: string): Promise<string> {
  const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
  return new Promise((resolve) => {
    socket.once("connect", () => {
      socket.close();
      resolve("connected");
    });
    socket.once("connect_error", (error) => {
      socket.close();
      resolve(error.message);
    });
  });
}

describe("accounts: tenants created at sign-up are isolated, on every surface and socket namespace", function () {
  this.timeout(30_000);
  let t: TestApp;
  let api: ApiClient;
  let a: Awaited<ReturnType<typeof signUp>>;
  let b: Awaited<ReturnType<typeof signUp>>;
  let bConversation: string;

  before(async () => {
    t = await startApp({ env: { ...ACCOUNTS_ENV, LOGIN_MAX_FAILURES_PER_ACCOUNT: "3" } });
    api = new ApiClient(t.baseUrl, t.app.contract);
    a = await signUp(api, "owner@a.example", "Tenant A");
    b = await signUp(api, "owner@b.example", "Tenant B");
    bConversation = (await api.withToken(b.token).post("/api/v1/chat/conversations", { friendlyName: "B's secret" })).body.sid;
  });
  after(async () => {
    await t.close();
  });

  describe("when a user of A names B (its id, its conversation, its people)", () => {
    it("is refused or finds nothing through the chat, organization inbox, PHP-compatible, stored SMS and accounts APIs", async () => {
      const asA = api.withToken(a.token);
      expect((await asA.get("/api/v1/chat/conversations", { headers: { "X-Tenant-Id": b.tenant.id } })).status).to.equal(403);
      expect((await asA.get(`/api/v1/chat/conversations/${bConversation}`)).status).to.equal(404);
      expect((await asA.get(`/api/v1/conversations/${b.tenant.id}`)).status).to.equal(403);
      expect((await asA.get(`${t.config.phpCompatBasePath}/list_conversations.php?account_id=${b.tenant.id}`)).status).to.equal(404);
      expect((await asA.get(`${t.config.phpCompatBasePath}/get_conversation.php?account_id=${a.tenant.id}&conversation_sid=${bConversation}`)).status).to.equal(404);
      expect((await asA.get(`/api/twilio/sms/stored/${bConversation}-IM${"0".repeat(32)}`)).status).to.equal(404);
      expect((await asA.get("/api/settings", { headers: { "X-Tenant-Id": b.tenant.id } })).status).to.equal(403);
      expect((await asA.patch(`/api/users/${b.user.id}`, { name: "Hijacked" })).status).to.equal(404);
      expect((await asA.delete(`/api/users/${b.user.id}`)).status).to.equal(404);
      const users = (await asA.get("/api/users")).body.data.users.map((u: { id: string }) => u.id);
      expect(users).to.deep.equal([a.user.id]);
      // B's owner and conversation are untouched.
      const asB = api.withToken(b.token);
      expect((await asB.get("/api/auth/me")).body.data.user).to.include({ name: "Olivia Owner", role: "OWNER" });
      expect((await asB.get(`/api/v1/chat/conversations/${bConversation}`)).status).to.equal(200);
    });

    it("cannot join B on /chat or on B's organization live namespace, and cannot subscribe to B's conversation", async () => {
      expect(await connectOutcome(`${t.baseUrl}/api/v1/conversations/${b.tenant.id}/live`, a.token)).to.equal("Invalid namespace");
      expect(await connectOutcome(`${t.baseUrl}/api/v1/conversations/${a.tenant.id}/live`, a.token)).to.equal("connected");
      await connectClient(t.baseUrl, { token: a.token, tenantId: b.tenant.id }).then(
        () => expect.fail("joined B"),
        (error: Error) => expect(error.message).to.equal("Authentication error"),
      );
      const socket = await connectClient(t.baseUrl, { token: a.token });
      try {
        const ack = await socket.emitWithAck("subscribe:conversation", { conversationSid: bConversation });
        expect(ack).to.have.property("error");
      } finally {
        socket.close();
      }
    });
  });

  describe("when a tenant created at sign-up sends a message", () => {
    it("hears it on /chat through its own service's webhook, and B's sockets hear nothing", async () => {
      const asA = api.withToken(a.token);
      const sid = (await asA.post("/api/v1/chat/conversations", { friendlyName: "live" })).body.sid;
      const socketA = await connectClient(t.baseUrl, { token: a.token });
      const socketB = await connectClient(t.baseUrl, { token: b.token });
      try {
        expect(await subscribe(socketA, sid)).to.have.property("data");
        const heardByB = recordEvents(socketB);
        const sent = nextEvent(socketA, "message:sent", (p) => p.conversationSid === sid);
        expect((await asA.post(`/api/v1/chat/conversations/${sid}/messages`, { body: "hello from A" })).status).to.equal(201);
        expect((await sent).message.body).to.equal("hello from A");
        await t.emulator.whenIdle();
        await settle(50);
        expect(heardByB.received).to.deep.equal([]);
      } finally {
        socketA.close();
        socketB.close();
      }
    });
  });

  describe("when a tenant created at sign-up uses its own organization inbox", () => {
    it("searches and counts its conversations, and the operators' endpoints still answer", async () => {
      const asA = api.withToken(a.token);
      expect((await asA.get(`/api/v1/conversations/${a.tenant.id}/search?q=anything`)).status).to.equal(200);
      expect((await asA.get(`/api/v1/conversations/${a.tenant.id}/stats`)).status).to.equal(200);
      expect((await fetch(`${t.operatorUrl}/metrics`)).status).to.equal(200);
      // The platform account is shared: its balance is not shown to a tenant created at sign-up.
      const status = await asA.get("/api/twilio/status");
      expect(status.body).to.include({ reachable: true, balance: null, tenant: a.tenant.id });
      const ready = (await (await fetch(`${t.operatorUrl}/readyz`)).json()) as { tenants: Record<string, string> };
      // Their account is the platform tenant's, checked once; not one probe per tenant created at sign-up.
      expect(Object.keys(ready.tenants).sort()).to.deep.equal(["alpha", "beta"]);
    });
  });

  describe("when sign-in is tried again and again", () => {
    it("locks the account with 429 and Retry-After, the same for an unknown email, and even the right password waits", async () => {
      const attempt = (email: string, password: string) => api.post("/api/auth/login", { email, password }, { token: null });
      for (let i = 0; i < 3; i++) expect((await attempt("owner@a.example", `wrong guess ${i}!`)).status).to.equal(401);
      const locked = await attempt("owner@a.example", PASSWORD);
      expect(locked.status).to.equal(429);
      expect(Number(locked.headers.get("retry-after"))).to.be.greaterThan(0);
      for (let i = 0; i < 3; i++) await attempt("ghost@a.example", `wrong guess ${i}!`);
      const ghost = await attempt("ghost@a.example", PASSWORD);
      expect([ghost.status, ghost.text]).to.deep.equal([locked.status, locked.text]);
      // Another account from the same address is not locked by it.
      expect((await attempt("owner@b.example", PASSWORD)).status).to.equal(200);
    });
  });
});
