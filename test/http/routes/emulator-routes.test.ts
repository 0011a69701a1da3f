import { expect } from "chai";
import jwt from "jsonwebtoken";
import { DEVELOPMENT_JWT_SECRET } from "../../../src/config.js";
import { ApiClient } from "../../support/api-client.js";
import { connectClient, nextEvent } from "../../support/connect-client.js";
import { rawRequest } from "../../support/raw-request.js";
import { DEMO_AGENT, startDemoApp, type DemoApp } from "../../support/start-demo-app.js";
import { startTwilioModeApp } from "../../support/start-twilio-mode-app.js";

const tokenFor = (sub = "agent-1") => jwt.sign({ tenants: ["default"] }, DEVELOPMENT_JWT_SECRET, { algorithm: "HS256", subject: sub, expiresIn: 600 });

describe("/api/v1/emulator (emulator mode)", function () {
  this.timeout(20_000);
  let demo: DemoApp;
  let api: ApiClient;
  let sessionUrl: string;
  let host: string;
  const sidOf = async (name: string) => ((await api.get("/api/v1/chat/conversations?limit=50")).body as Array<{ sid: string; friendlyName: string }>).find((c) => c.friendlyName === name)!.sid;

  before(async () => {
    demo = await startDemoApp({ deliveryStepsMs: { sent: 20, delivered: 60, read: 100 } });
    api = new ApiClient(demo.baseUrl, demo.app.contract, tokenFor());
    sessionUrl = `${demo.baseUrl}/api/v1/emulator/session`;
    host = new URL(demo.baseUrl).host;
  });
  after(() => demo.close());

  describe("GET /api/v1/emulator", () => {
    it("says the gateway is in emulator mode and offers the development sign-in", async () => {
      const response = await api.get("/api/v1/emulator", { token: null });
      expect(response.status).to.equal(200);
      expect(response.body).to.deep.equal({ mode: "emulator", developmentSignIn: true });
    });
  });

  describe("POST /api/v1/emulator/session", () => {
    describe("when the inbox page asks from this machine (same origin, loopback host)", () => {
      it("answers a one-hour development token for the demo agent, not to be cached, that the API accepts", async () => {
        const response = await api.post("/api/v1/emulator/session", undefined, { token: null, headers: { "sec-fetch-site": "same-origin", origin: demo.baseUrl } });
        expect(response.status).to.equal(201);
        expect(response.headers.get("cache-control")).to.equal("no-store");
        const claims = jwt.verify(response.body.token, DEVELOPMENT_JWT_SECRET, { algorithms: ["HS256"] }) as jwt.JwtPayload;
        expect(claims.sub).to.equal(DEMO_AGENT);
        expect(claims.tenants).to.deep.equal(["default"]);
        expect(claims.exp! - claims.iat!).to.equal(3600);
        expect(response.body).to.include({ userId: DEMO_AGENT });
        expect(response.body.tenants, "the tenants with their names, for the page's picker").to.deep.equal([{ id: "default", name: "Demo (emulator)" }]);
        expect(Date.parse(response.body.expiresAt)).to.be.closeTo(claims.exp! * 1000, 2000);
        expect((await api.get("/api/v1/chat/stats", { token: response.body.token })).status).to.equal(200);
      });
    });

    const hostile: Array<[string, Record<string, string>]> = [
      ["another site's script (Sec-Fetch-Site: cross-site)", { "sec-fetch-site": "cross-site" }],
      ["a same-site but other-origin page (Sec-Fetch-Site: same-site)", { "sec-fetch-site": "same-site" }],
      ["a page of another origin (Origin)", { origin: "http://evil.example" }],
      ["a DNS-rebinding page (its own host name resolving to 127.0.0.1)", { host: "evil.example:3000" }],
      ["a client behind a reverse proxy on this host (X-Forwarded-For)", { "x-forwarded-for": "203.0.113.9" }],
      ["a client behind a reverse proxy on this host (Forwarded)", { forwarded: "for=203.0.113.9" }],
    ];
    for (const [who, headers] of hostile) {
      describe(`when ${who} asks`, () => {
        it("refuses with 403 and mints nothing", async () => {
          const response = await rawRequest(sessionUrl, { method: "POST", headers: { host, ...headers } });
          expect(response.status).to.equal(403);
          expect(JSON.parse(response.text).error.code).to.equal("forbidden");
          expect(response.text).not.to.contain("eyJ");
        });
      });
    }
  });

  describe("POST /api/v1/emulator/inbound", () => {
    describe("when a conversation's customer writes", () => {
      it("answers 202 and the message reaches the gateway as from Twilio: live on the socket, unread raised", async () => {
        const sid = await sidOf("Alan Turing");
        const socket = await connectClient(demo.baseUrl, { token: tokenFor() });
        try {
          await socket.emitWithAck("subscribe:conversation", { conversationSid: sid });
          const received = nextEvent(socket, "message:received", (payload) => payload.conversationSid === sid);
          const response = await api.post("/api/v1/emulator/inbound", { conversationSid: sid, body: "Still there?" });
          expect(response.status).to.equal(202);
          expect(response.body).to.include({ conversationSid: sid, created: false });
          expect((await received).message).to.include({ sid: response.body.messageSid, body: "Still there?", author: "+15551230003" });
          await demo.emulator.whenIdle();
          const conversation = (await api.get(`/api/v1/chat/conversations/${sid}`)).body;
          expect(JSON.parse(conversation.attributes).unreadCount).to.equal(1);
        } finally {
          socket.close();
        }
      });
    });

    describe("when a new number writes", () => {
      it("starts a conversation for it (WhatsApp when the number says so)", async () => {
        const response = await api.post("/api/v1/emulator/inbound", { from: "whatsapp:+15557770001", body: "Hi there" });
        expect(response.status).to.equal(202);
        expect(response.body.created).to.equal(true);
        await demo.emulator.whenIdle();
        const conversation = (await api.get(`/api/v1/chat/conversations/${response.body.conversationSid}`)).body;
        expect(conversation.latestMessage.body).to.equal("Hi there");
        expect(JSON.parse(conversation.attributes).channel).to.equal("WhatsApp");
      });
    });

    describe("when the request is wrong", () => {
      it("answers 401 without a token, 400 with both or neither of conversationSid and from, 404 for an unknown conversation, 409 for an Email one", async () => {
        const before = demo.emulator.webhooks.entries.length;
        expect((await api.post("/api/v1/emulator/inbound", { from: "+15557770002", body: "x" }, { token: null })).status).to.equal(401);
        const both = await api.post("/api/v1/emulator/inbound", { from: "+15557770002", conversationSid: await sidOf("Ada Lovelace"), body: "x" });
        expect(both.status).to.equal(400);
        expect((await api.post("/api/v1/emulator/inbound", { body: "x" })).status).to.equal(400);
        expect((await api.post("/api/v1/emulator/inbound", { conversationSid: `CH${"f".repeat(32)}`, body: "x" })).status).to.equal(404);
        const email = await api.post("/api/v1/emulator/inbound", { conversationSid: await sidOf("Katherine Johnson"), body: "x" });
        expect(email.status).to.equal(409);
        expect(email.body.error.field).to.equal("/conversationSid");
        expect(demo.emulator.webhooks.entries.length, "no message was simulated").to.equal(before);
      });
    });
  });

  describe("demo delivery", () => {
    it("moves an agent's SMS to delivered, as the emulator reports it", async () => {
      const sid = await sidOf("Ada Lovelace");
      const sent = await api.post(`/api/v1/chat/conversations/${sid}/messages`, { body: "On its way" });
      expect(sent.status).to.equal(201);
      const deadline = Date.now() + 5000;
      let status: string | undefined;
      while (Date.now() < deadline && status !== "delivered") {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const messages = (await api.get(`/api/v1/chat/conversations/${sid}/messages?limit=5`)).body as Array<{ sid: string; attributes: string }>;
        status = JSON.parse(messages.find((m) => m.sid === sent.body.sid)!.attributes).status;
      }
      expect(status).to.equal("delivered");
    });
  });
});

describe("/api/v1/emulator on a gateway that talks to Twilio", function () {
  let gateway: Awaited<ReturnType<typeof startTwilioModeApp>>;
  before(async () => {
    gateway = await startTwilioModeApp();
  });
  after(() => gateway.close());

  it("does not exist: 404 for the mode, the development sign-in (even from this machine) and the simulated message", async () => {
    const api = new ApiClient(gateway.baseUrl, gateway.app.contract, tokenFor());
    expect((await api.get("/api/v1/emulator", { token: null })).status).to.equal(404);
    const session = await api.post("/api/v1/emulator/session", undefined, { token: null });
    expect(session.status).to.equal(404);
    expect(session.text).not.to.contain("eyJ");
    expect((await api.post("/api/v1/emulator/inbound", { from: "+15557770003", body: "x" })).status).to.equal(404);
  });
});
