import { mkdtempSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { expect } from "chai";
import { INBOX_PAGE_CSP } from "../../../src/http/routes/inbox-page-routes.js";
import { ApiClient } from "../../support/api-client.js";
import { rawRequest } from "../../support/raw-request.js";
import { startTwilioModeApp } from "../../support/start-twilio-mode-app.js";
import { builtWebBundle } from "../../support/web-bundle.js";
import type { BundleReport } from "../../../src/web/bundle-web.js";

describe("GET / and /app/{asset} (the inbox page)", function () {
  this.timeout(20_000);
  let gateway: Awaited<ReturnType<typeof startTwilioModeApp>>;
  let api: ApiClient;
  let bundle: BundleReport;

  before(async () => {
    bundle = await builtWebBundle();
    // The page is the same in either mode; a Twilio-mode gateway shows it needs no emulator.
    gateway = await startTwilioModeApp({ webBundleDir: bundle.outDir });
    api = new ApiClient(gateway.baseUrl, gateway.app.contract);
  });
  after(() => gateway.close());

  describe("when the page is built", () => {
    it("answers the HTML, revalidated every time, under a CSP that allows this origin's scripts only and no inline script or style", async () => {
      const response = await api.get("/");
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.equal("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).to.equal("no-cache");
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).to.equal(INBOX_PAGE_CSP);
      expect(csp).to.contain("script-src 'self'").and.to.contain("style-src 'self'").and.to.contain("default-src 'none'");
      expect(csp).not.to.contain("unsafe-inline");
      expect(csp).not.to.contain("unsafe-eval");
      expect(csp).to.contain("require-trusted-types-for 'script'");
      expect(response.text).to.contain(`<script type="module" src="/app/${bundle.script}"></script>`);
      expect(response.text).to.contain(`<link rel="stylesheet" href="/app/${bundle.stylesheet}">`);
      // No inline script: every <script> has a src.
      expect(response.text.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).to.equal(null);
      expect(response.text).not.to.match(/https?:\/\//);
    });

    it("serves the hashed script and stylesheet for a year (immutable), gzipped when the client accepts it", async () => {
      expect(bundle.script).to.match(/^inbox-[A-Z0-9]{8}\.js$/);
      const plain = await rawRequest(`${gateway.baseUrl}/app/${bundle.script}`);
      expect(plain.status).to.equal(200);
      expect(plain.headers["content-type"]).to.equal("text/javascript; charset=utf-8");
      expect(plain.headers["cache-control"]).to.equal("public, max-age=31536000, immutable");
      expect(plain.headers["content-encoding"]).to.equal(undefined);
      const zipped = await new Promise<Buffer>((resolve, reject) => {
        get(`${gateway.baseUrl}/app/${bundle.stylesheet}`, { headers: { "accept-encoding": "gzip, br" } }, (res) => {
          expect(res.headers["content-encoding"]).to.equal("gzip");
          expect(res.headers.vary).to.contain("Accept-Encoding");
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve(Buffer.concat(chunks)));
        }).on("error", reject);
      });
      expect(gunzipSync(zipped).toString()).to.contain(".conversation");
    });

    it("answers 404 for a file that is not in the build, and 400 for a name that is not a file name (no path traversal)", async () => {
      expect((await api.get("/app/inbox-00000000.js")).status).to.equal(404);
      expect((await api.get("/app/index.html")).status).to.equal(404);
      const traversal = await rawRequest(`${gateway.baseUrl}/app/..%2F..%2Fpackage.json`);
      expect(traversal.status).to.equal(400);
      expect(traversal.text).not.to.contain("switchboard");
    });
  });

  describe("when the page is not built", () => {
    it("answers a page saying how to build it (no script, still under the CSP)", async () => {
      const bare = await startTwilioModeApp({ webBundleDir: join(mkdtempSync(join(tmpdir(), "switchboard-no-web-")), "web") });
      try {
        const response = await new ApiClient(bare.baseUrl, bare.app.contract).get("/");
        expect(response.status).to.equal(200);
        expect(response.headers.get("content-type")).to.equal("text/html; charset=utf-8");
        expect(response.headers.get("content-security-policy")).to.equal(INBOX_PAGE_CSP);
        expect(response.text).not.to.contain("<script");
        expect(response.text).to.contain("npm run build");
      } finally {
        await bare.close();
      }
    });
  });
});
