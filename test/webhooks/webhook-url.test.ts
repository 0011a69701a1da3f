import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import Koa from "koa";
import { calledWebhookUrl, webhookUrl } from "../../src/webhooks/webhook-url.js";

const PATH = "/api/twilio/webhook/sms?tenant=alpha";

/** A Koa app (proxy trusted or not) answering the URL it would check a signature against. */
async function serve(proxy: boolean, publicBaseUrl?: string): Promise<{ server: Server; port: number }> {
  const koa = new Koa({ proxy });
  koa.use((ctx) => {
    ctx.body = calledWebhookUrl(ctx, publicBaseUrl) ?? "(none)";
  });
  const server = koa.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Sends a raw request (node:http lets a test set Host and any request target, as a hostile client can). */
function send(port: number, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: PATH, headers, setHost: false }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("calledWebhookUrl", () => {
  const servers: Server[] = [];
  const start = async (proxy: boolean, publicBaseUrl?: string) => {
    const { server, port } = await serve(proxy, publicBaseUrl);
    servers.push(server);
    return port;
  };
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  describe("when PUBLIC_BASE_URL is set", () => {
    it("is PUBLIC_BASE_URL + path + query, whatever Host, Origin and X-Forwarded-* say", async () => {
      const port = await start(true, "https://inbox.example.com");
      const url = await send(port, {
        host: "other-app.example",
        origin: "https://other-app.example",
        "x-forwarded-proto": "http",
        "x-forwarded-host": "other-app.example",
      });
      expect(url).to.equal(`https://inbox.example.com${PATH}`);
    });

    it("keeps a path prefix of PUBLIC_BASE_URL (a proxy that strips it)", async () => {
      const port = await start(false, "https://example.com/switchboard");
      expect(await send(port, { host: "10.0.0.7:3000" })).to.equal(`https://example.com/switchboard${PATH}`);
    });
  });

  describe("when PUBLIC_BASE_URL is unset", () => {
    it("is protocol + Host + path + query, never the Origin header", async () => {
      const port = await start(false);
      expect(await send(port, { host: "gateway.internal:3000", origin: "https://other-app.example" })).to.equal(`http://gateway.internal:3000${PATH}`);
    });

    it("ignores X-Forwarded-Proto and X-Forwarded-Host when the proxy is not trusted (TRUST_PROXY off)", async () => {
      const port = await start(false);
      const url = await send(port, { host: "gateway.internal", "x-forwarded-proto": "https", "x-forwarded-host": "other-app.example" });
      expect(url).to.equal(`http://gateway.internal${PATH}`);
    });

    it("takes the balancer's X-Forwarded-Proto and X-Forwarded-Host when the proxy is trusted (TRUST_PROXY on)", async () => {
      const port = await start(true);
      const url = await send(port, { host: "10.0.0.7:3000", "x-forwarded-proto": "https", "x-forwarded-host": "inbox.example.com" });
      expect(url).to.equal(`https://inbox.example.com${PATH}`);
    });

    it("has no URL without a Host (HTTP/1.0)", () => {
      expect(calledWebhookUrl({ protocol: "http", host: "", originalUrl: PATH }, undefined)).to.equal(undefined);
    });

    for (const [situation, headers] of [
      ["Host carries a path", { host: "other-app.example/prefix" }],
      ["Host carries a query", { host: "other-app.example?x=" }],
      ["a trusted X-Forwarded-Proto is not http(s)", { host: "gateway.internal", "x-forwarded-proto": "javascript" }],
      ["a trusted X-Forwarded-Host carries a path", { host: "gateway.internal", "x-forwarded-host": "other-app.example/prefix" }],
    ] as const) {
      it(`has no URL when ${situation}`, async () => {
        const port = await start(true);
        expect(await send(port, headers)).to.equal("(none)");
      });
    }
  });

  describe("when the request target is not a path (absolute-form, as Node passes it on in req.url)", () => {
    it("has no URL, even with PUBLIC_BASE_URL", () => {
      const request = { protocol: "https", host: "inbox.example.com", originalUrl: `https://other-app.example${PATH}` };
      expect(calledWebhookUrl(request, "https://inbox.example.com")).to.equal(undefined);
      expect(calledWebhookUrl(request, undefined)).to.equal(undefined);
    });
  });
});

describe("webhookUrl", () => {
  it("is PUBLIC_BASE_URL + the webhook's path", () => {
    expect(webhookUrl("https://inbox.example.com", "/api/v1/chat/webhooks/twilio/conversation")).to.equal(
      "https://inbox.example.com/api/v1/chat/webhooks/twilio/conversation",
    );
  });
});
