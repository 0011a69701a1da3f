import { expect } from "chai";
import { parse } from "yaml";
import { ConfigError, loadConfig } from "../../../src/config.js";
import { rewritePath } from "../../../src/http/operation-router.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const env = { NODE_ENV: "test" };

describe("PHP_COMPAT_BASE_PATH", () => {
  describe("when unset", () => {
    it("is /twilio", () => {
      expect(loadConfig(env).phpCompatBasePath).to.equal("/twilio");
    });
  });

  describe("when set with a trailing slash", () => {
    it("is kept without it", () => {
      expect(loadConfig({ ...env, PHP_COMPAT_BASE_PATH: "/legacy/twilio/" }).phpCompatBasePath).to.equal("/legacy/twilio");
    });
  });

  describe("when it is not a path", () => {
    it("stops the boot naming the variable", () => {
      expect(() => loadConfig({ ...env, PHP_COMPAT_BASE_PATH: "twilio?x=1" }))
        .to.throw(ConfigError)
        .with.property("message")
        .that.includes("PHP_COMPAT_BASE_PATH");
    });
  });
});

describe("rewritePath", () => {
  const rewrites = { "/twilio": "/legacy/twilio" };

  describe("when the path is under the prefix", () => {
    it("moves it under the new base", () => {
      expect(rewritePath("/twilio/list_services.php", rewrites)).to.equal("/legacy/twilio/list_services.php");
    });
  });

  describe("when the path only starts with the same letters", () => {
    it("leaves it alone", () => {
      expect(rewritePath("/twilios/x", rewrites)).to.equal("/twilios/x");
      expect(rewritePath("/api/twilio/x", rewrites)).to.equal("/api/twilio/x");
    });
  });

  describe("when the new base is the root", () => {
    it("mounts the files at the root", () => {
      expect(rewritePath("/twilio/list_services.php", { "/twilio": "" })).to.equal("/list_services.php");
      expect(rewritePath("/twilio/list_services.php", { "/twilio": "/" })).to.equal("/list_services.php");
    });
  });
});

describe("PHP-compatible API at a configured base path", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: { PHP_COMPAT_BASE_PATH: "/wp/backend-dfcflow/twilio", CORS_ORIGINS: "https://admin.example" } });
  });
  after(() => t.close());

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${t.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${t.token()}`, ...init.headers } });

  describe("when an endpoint is called under the configured base", () => {
    it("answers as the contract describes", async () => {
      const response = await call("/wp/backend-dfcflow/twilio/list_services.php?account_id=alpha");
      expect(response.status).to.equal(200);
      const validate = t.app.contract.responseValidator("phpListServices", 200)!;
      const body = (await response.json()) as any;
      expect(validate(body), JSON.stringify(validate.errors)).to.equal(true);
      expect(body.data.meta.url).to.equal("/wp/backend-dfcflow/twilio/list_services.php?account_id=alpha");
    });
  });

  describe("when an endpoint is called under the default base", () => {
    it("is not served there", async () => {
      expect((await call("/twilio/list_services.php?account_id=alpha")).status).to.equal(404);
    });
  });

  describe("when the contract is fetched", () => {
    it("lists the endpoints where they are served, and nothing else moved", async () => {
      const text = await (await fetch(`${t.baseUrl}/openapi.yaml`)).text();
      const paths = Object.keys((parse(text) as { paths: Record<string, unknown> }).paths);
      expect(paths).to.include("/wp/backend-dfcflow/twilio/list_services.php");
      expect(paths.filter((path) => path.startsWith("/twilio/"))).to.deep.equal([]);
      expect(paths).to.include("/api/v1/chat/conversations");
      expect(paths).to.have.length(Object.keys(t.app.contract.document.paths as object).length);
    });
  });

  describe("when a browser sends a CORS preflight from an allowed origin", () => {
    it("allows the POST with its Authorization header", async () => {
      const response = await fetch(`${t.baseUrl}/wp/backend-dfcflow/twilio/create_conversation.php`, {
        method: "OPTIONS",
        headers: {
          origin: "https://admin.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type",
        },
      });
      expect(response.status).to.equal(204);
      expect(response.headers.get("access-control-allow-origin")).to.equal("https://admin.example");
      expect(response.headers.get("access-control-allow-headers")).to.match(/Authorization/);
    });
  });

  describe("when the body is larger than the limit", () => {
    it("answers 413 in the envelope", async () => {
      const response = await call("/wp/backend-dfcflow/twilio/create_conversation.php", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ account_id: "alpha", friendly_name: "x".repeat(2 * 1024 * 1024) }),
      });
      expect(response.status).to.equal(413);
      const body = (await response.json()) as any;
      const validate = t.app.contract.responseValidator("phpCreateConversation", 413)!;
      expect(validate(body), JSON.stringify(validate.errors)).to.equal(true);
      expect(body.data.status).to.equal(413);
    });
  });
});
