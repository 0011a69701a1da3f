import { expect } from "chai";
import jwt from "jsonwebtoken";
import { DEVELOPMENT_JWT_SECRET } from "../../../src/config.js";
import { ApiClient } from "../../support/api-client.js";
import { startDemoApp, type DemoApp } from "../../support/start-demo-app.js";

describe("GET /api/v1/chat/stats", function () {
  this.timeout(20_000);
  let demo: DemoApp;
  let api: ApiClient;
  before(async () => {
    demo = await startDemoApp({});
    api = new ApiClient(demo.baseUrl, demo.app.contract, jwt.sign({ tenants: ["default"] }, DEVELOPMENT_JWT_SECRET, { algorithm: "HS256", subject: "agent-1", expiresIn: 600 }));
  });
  after(() => demo.close());

  describe("over the demo inbox", () => {
    it("counts conversations, unread conversations and messages, and starred ones — with no upstream call when warm", async () => {
      await api.get("/api/v1/chat/conversations");
      const callsBefore = demo.emulator.requests.entries.length;
      const response = await api.get("/api/v1/chat/stats");
      expect(response.status).to.equal(200);
      // Grace Hopper (WhatsApp) has two unread messages and a star; the others are read.
      expect(response.body).to.deep.equal({ conversations: 4, unreadConversations: 1, unreadMessages: 2, starredConversations: 1 });
      expect(demo.emulator.requests.entries.length).to.equal(callsBefore);
    });
  });

  describe("after a conversation is marked read", () => {
    it("counts it read", async () => {
      const grace = ((await api.get("/api/v1/chat/conversations")).body as Array<{ sid: string; friendlyName: string }>).find((c) => c.friendlyName === "Grace Hopper")!;
      await api.patch(`/api/v1/chat/conversations/${grace.sid}/attributes`, { unreadCount: 0 });
      expect((await api.get("/api/v1/chat/stats")).body).to.include({ unreadConversations: 0, unreadMessages: 0 });
    });
  });

  describe("without a token", () => {
    it("answers 401", async () => {
      expect((await api.get("/api/v1/chat/stats", { token: null })).status).to.equal(401);
    });
  });
});
