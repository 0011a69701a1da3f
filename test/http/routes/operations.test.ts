import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { startApp, type TestApp } from "../../support/start-app.js";

describe("operations API", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.close());

  describe("GET /healthz", () => {
    describe("when the process is up", () => {
      it("responds 200 ok without a token and calls no upstream", async () => {
        const calls = t.upstreamCalls.length;

        const response = await t.api().withToken(null).get("/healthz");

        expect(response.status).to.equal(200);
        expect(response.body).to.deep.equal({ status: "ok" });
        expect(t.upstreamCalls.length).to.equal(calls);
      });
    });
  });

  describe("GET /readyz", () => {
    describe("when every tenant's service answers", () => {
      it("responds 200 ready and names no tenant", async () => {
        const response = await t.api().withToken(null).get("/readyz");

        expect(response.status).to.equal(200);
        expect(response.body).to.deep.equal({ status: "ready" });
      });
    });

    describe("when asked on the operators' listener", () => {
      it("lists each tenant's state", async () => {
        const response = await fetch(`${t.operatorUrl}/readyz`);

        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ status: "ready", tenants: { alpha: "ok", beta: "ok" } });
      });
    });

    describe("when probed again shortly after", () => {
      it("reuses the last answer instead of calling Twilio again", async () => {
        await t.api().withToken(null).get("/readyz");
        const calls = t.upstreamCalls.length;

        const response = await t.api().withToken(null).get("/readyz");

        expect(response.status).to.equal(200);
        expect(t.upstreamCalls.length).to.equal(calls);
      });
    });
  });

  describe("GET /openapi.yaml", () => {
    describe("when requested without a token", () => {
      it("serves the contract as YAML that parses", async () => {
        const response = await t.api().withToken(null).get("/openapi.yaml");

        expect(response.status).to.equal(200);
        expect(response.headers.get("content-type")).to.match(/^application\/yaml/);
        const document = parseYaml(response.text);
        expect(document.openapi).to.equal("3.1.0");
        expect(document.paths).to.have.property("/api/v1/chat/conversations/{sid}/messages");
        expect(response.text).to.equal(t.app.contract.text);
      });
    });
  });

  describe("GET /docs", () => {
    describe("when requested", () => {
      it("serves an HTML page that loads Swagger UI from /docs, not the internet", async () => {
        const response = await t.api().withToken(null).get("/docs");

        expect(response.status).to.equal(200);
        expect(response.headers.get("content-type")).to.match(/^text\/html/);
        expect(response.text).to.contain('src="/docs/swagger-ui-bundle.js"');
        expect(response.text).not.to.match(/(src|href)="https?:/);
      });
    });
  });

  describe("GET /docs/:asset", () => {
    describe("when the asset is Swagger UI's bundle", () => {
      it("responds 200 with JavaScript", async () => {
        const response = await t.api().withToken(null).get("/docs/swagger-ui-bundle.js");

        expect(response.status).to.equal(200);
        expect(response.headers.get("content-type")).to.match(/javascript/);
        expect(response.text.length).to.be.greaterThan(100_000);
      });
    });

    describe("when the asset is the page's init script", () => {
      it("points Swagger UI at /openapi.yaml", async () => {
        const response = await t.api().withToken(null).get("/docs/switchboard-init.js");

        expect(response.status).to.equal(200);
        expect(response.text).to.contain('url: "/openapi.yaml"');
      });
    });

    for (const asset of ["unknown.js", "index.html", "swagger-ui-bundle.js.map"]) {
      describe(`when the asset is ${asset} (not one the page uses)`, () => {
        it("responds 404 with the standard error body", async () => {
          const response = await t.api().withToken(null).get(`/docs/${asset}`);

          expect(response.status).to.equal(404);
          expect(response.body.error.code).to.equal("not_found");
        });
      });
    }

    describe("when the asset name tries to leave the directory", () => {
      it("never serves the file", async () => {
        const response = await t.api().withToken(null).get("/docs/..%2Fpackage.json");

        expect([400, 404]).to.include(response.status);
        expect(response.text).not.to.contain('"dependencies"');
      });
    });
  });

  describe("an unknown route", () => {
    describe("when requested", () => {
      it("responds 404 with a JSON error naming the route", async () => {
        const response = await t.api().get("/api/v1/chat/nothing-here");

        expect(response.status).to.equal(404);
        expect(response.headers.get("content-type")).to.match(/^application\/json/);
        expect(response.body).to.deep.equal({ error: { code: "not_found", message: "no route for GET /api/v1/chat/nothing-here" } });
        expect(response.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
      });
    });

    describe("when a known path is called with another method", () => {
      it("responds 404 and calls no upstream", async () => {
        const calls = t.upstreamCalls.length;

        const response = await t.api().request("PUT", "/healthz");

        expect(response.status).to.equal(404);
        expect(response.body.error.code).to.equal("not_found");
        expect(t.upstreamCalls.length).to.equal(calls);
      });
    });
  });
});
