import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import Koa from "koa";
import { loadContract } from "../../src/http/openapi-contract.js";
import { createOperationRouter, type OperationHandler } from "../../src/http/operation-router.js";

describe("createOperationRouter: one router per surface", () => {
  const contract = loadContract();
  const served: string[] = [];
  // Every operation answers its own id; webhooks and bearer operations are let through by stub authenticators.
  const handlers = Object.fromEntries(
    contract.operations.map((operation): [string, OperationHandler] => [
      operation.operationId,
      (request) => {
        served.push(operation.operationId);
        request.tenantId = "alpha"; // audited operations name their tenant
        return { body: { operationId: operation.operationId, params: request.params } };
      },
    ]),
  );
  const router = createOperationRouter(contract, handlers, {
    verifyToken: () => ({ userId: "u1", tenantIds: ["alpha"], expiresAtMs: Date.now() + 60_000, role: "OWNER" }),
    webhookAuthenticators: { twilioSignature: () => ({}), sendgridSignature: () => ({}) },
    pathPrefixRewrites: { "/twilio": "/legacy/twilio" },
    audit: () => {},
  });
  const koa = new Koa();
  koa.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = (error as { status?: number }).status ?? 500;
      ctx.body = { error: (error as Error).message };
    }
    ctx.set("X-Route", typeof ctx._matchedRoute === "string" ? ctx._matchedRoute : "unmatched");
  });
  koa.use(router.routes());
  koa.use((ctx) => {
    ctx.status = 404;
    ctx.body = { notFound: ctx.path };
  });
  const server = createServer(koa.callback());
  let base = "";
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const sid = "CH" + "0".repeat(32);
  const call = async (method: string, path: string) => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: "Bearer x" } });
    return { status: response.status, route: response.headers.get("x-route"), body: (await response.json()) as Record<string, unknown> };
  };

  describe("when a request names a route of a surface", () => {
    it("reaches that operation with only its own path parameters, on every surface", async () => {
      const cases: Array<[string, string, string, string]> = [
        ["GET", "/", "getInboxPage", "/"],
        ["GET", "/healthz", "getHealth", "/healthz"],
        ["GET", `/api/v1/chat/conversations/${sid}/messages`, "listMessages", "/api/v1/chat/conversations/:sid/messages"],
        ["GET", "/api/v1/chat/stats", "getChatStats", "/api/v1/chat/stats"],
        ["GET", "/legacy/twilio/list_services.php?account_id=alpha", "phpListServices", "/legacy/twilio/list_services.php"],
      ];
      for (const [method, path, operationId, route] of cases) {
        const answer = await call(method, path);
        expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).to.equal(200);
        expect(answer.body.operationId, path).to.equal(operationId);
        expect(answer.route, path).to.equal(route);
      }
      expect((await call("GET", `/api/v1/chat/conversations/${sid}/messages`)).body.params).to.deep.equal({ sid });
    });

    it("reaches a surface whose stem another surface shares (the chat webhooks under /api/v1/chat)", async () => {
      // No body: refused by the webhook operation's own contract check, which only its route runs.
      const answer = await call("POST", "/api/v1/chat/webhooks/twilio/conversation");
      expect(answer.route).to.equal("/api/v1/chat/webhooks/twilio/conversation");
      expect(answer.body.error).to.equal("a request body is required");
    });
  });

  describe("when a path is under a surface's stem but no route of it, or only looks like a stem", () => {
    it("is passed on (404 from what follows), reaching no operation", async () => {
      const before = served.length;
      for (const [method, path] of [
        ["GET", "/api/v1/chat/nope"],
        ["PUT", "/api/v1/chat/conversations"],
        ["GET", "/api/v1/chatty/conversations"],
        ["GET", "/twilio/list_services.php"],
      ] as const) {
        const answer = await call(method, path);
        expect(answer.status, `${method} ${path}`).to.equal(404);
        expect(answer.route, `${method} ${path}`).to.equal("unmatched");
      }
      expect(served.length).to.equal(before);
    });
  });
});
