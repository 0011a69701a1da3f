import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import Koa from "koa";
import { securityHeaders } from "../../src/http/security-headers.js";

describe("securityHeaders", () => {
  /** A Koa app with the middleware in front of `handler`, answering one request. */
  const answer = async (handler: Koa.Middleware) => {
    const koa = new Koa();
    koa.use(securityHeaders());
    koa.use(handler);
    const server = createServer(koa.callback());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      return await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  };

  describe("when the handler sets a header of the policy itself (the inbox page's or media's Content-Security-Policy)", () => {
    it("keeps the handler's value and adds the rest", async () => {
      const response = await answer((ctx) => {
        ctx.set("Content-Security-Policy", "default-src 'none'; sandbox");
        ctx.body = "x";
      });
      expect(response.headers.get("content-security-policy")).to.equal("default-src 'none'; sandbox");
      expect(response.headers.get("x-frame-options")).to.equal("SAMEORIGIN");
    });
  });

  describe("when the answer is a 304", () => {
    it("adds none of them (the client keeps its stored 200's)", async () => {
      const response = await answer((ctx) => {
        ctx.set("ETag", '"a"');
        ctx.status = 304;
      });
      expect(response.status).to.equal(304);
      expect(response.headers.get("etag")).to.equal('"a"');
      expect(response.headers.get("content-security-policy")).to.equal(null);
      expect(response.headers.get("x-frame-options")).to.equal(null);
    });
  });

  describe("when the answer is an error set by a handler", () => {
    it("adds all of them", async () => {
      const response = await answer((ctx) => {
        ctx.status = 418;
        ctx.body = { error: "teapot" };
      });
      expect(response.status).to.equal(418);
      expect(response.headers.get("strict-transport-security")).to.contain("max-age=");
      expect(response.headers.get("content-security-policy")).to.contain("default-src 'self'");
    });
  });
});
