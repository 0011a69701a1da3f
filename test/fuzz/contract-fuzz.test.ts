import { expect } from "chai";
import { loadContract } from "../../src/http/openapi-contract.js";
import { startApp, TEST_JWT_SECRET, type TestApp } from "../support/start-app.js";
import { authCases } from "./auth-cases.js";
import { bodyCases } from "./body-cases.js";
import { controlCases } from "./control-cases.js";
import type { FuzzContext } from "./fuzz-context.js";
import { describeOffenders, FuzzRunner, type FuzzCase } from "./fuzz-runner.js";
import { methodCases } from "./method-cases.js";
import { parameterCases } from "./parameter-cases.js";
import { Prng } from "./prng.js";
import { rawBodyCases, unexpectedBodyCases } from "./raw-body-cases.js";
import { crossTenantCases, unknownSidCases } from "./sid-cases.js";
import { seedTenant, snapshotTenant, unknownSource, type TenantFixture } from "./tenant-fixture.js";
import { webhookCases } from "./webhook-cases.js";
import { stepNockAside } from "../support/loopback-only.js";

/** Fixed, so every run sends the same requests; change it to explore. */
const SEED = 0x5eedf022;

/** Reads of beta's data through every surface, so caches and the search index hold beta's entries during the run. */
async function warmUp(t: TestApp, beta: TenantFixture): Promise<void> {
  const api = t.api("beta");
  const { conversationSid, customerPhone } = beta.source;
  for (const path of [
    "/api/v1/chat/conversations",
    `/api/v1/chat/conversations/${conversationSid}`,
    `/api/v1/chat/conversations/${conversationSid}/messages`,
    "/api/twilio/sms/stored",
    `/api/twilio/sms/stored/${beta.source.storedSmsId}`,
    "/api/v1/conversations/beta",
    `/api/v1/conversations/beta/phone/${encodeURIComponent(customerPhone)}`,
    `/api/v1/conversations/beta/search?q=${beta.marker}`,
    "/twilio/list_conversations.php?account_id=beta",
    `/twilio/list_participants.php?account_id=beta&conversation_sid=${conversationSid}`,
  ]) {
    const response = await api.get(path);
    expect(response.status, `${path}: ${response.text}`).to.equal(200);
  }
  await t.emulator.whenIdle();
}

describe("contract fuzz", function () {
  this.timeout(60_000);
  let t: TestApp;
  let context: FuzzContext;
  let runner: FuzzRunner;
  let betaBefore: unknown;
  let putNockBack: (() => void) | undefined;

  before(async () => {
    // nock's interceptor decodes request bodies on the client side and drops the connection on a body that does not
    // decode — exactly what this fuzz sends. Everything here stays on loopback, so it steps aside for this file.
    putNockBack = stepNockAside();
    // Accounts on (alpha's Twilio account is the platform), so the accounts API is fuzzed like every surface.
    t = await startApp({ env: { ACCOUNTS_PLATFORM_TENANT: "alpha", REGISTRATION_ENABLED: "true", PASSWORD_SCRYPT_COST: "10" } });
    const rng = new Prng(SEED);
    const alpha = await seedTenant(t, "alpha", "+15557100001", rng);
    const beta = await seedTenant(t, "beta", "+15557200001", rng);
    betaBefore = await snapshotTenant(t, beta);
    await warmUp(t, beta);
    // The emulator keeps SendGrid's Event Webhook key private; the fuzz needs it to sign malformed event batches.
    const sendgridSigner = (t.emulator.sendgrid as unknown as { signer: { sign(timestamp: string, payload: string): string } }).signer;
    const contract = loadContract();
    context = {
      t,
      document: contract.document,
      operations: contract.operations,
      rng,
      alpha,
      beta,
      alphaUnknown: unknownSource(alpha.source, rng),
      tokens: { alpha: t.token({ tenants: ["alpha"] }), beta: t.token({ tenants: ["beta"] }) },
      encode: {
        baseUrl: t.baseUrl,
        phpCompatBasePath: t.config.phpCompatBasePath,
        twilioAuthToken: t.tenants.alpha.authToken,
        signSendgrid: (timestamp, payload) => sendgridSigner.sign(timestamp, payload),
      },
    };
    const secrets = [TEST_JWT_SECRET, ...(["alpha", "beta"] as const).flatMap((id) => [t.tenants[id].authToken, t.tenants[id].sendgrid!.apiKey])];
    runner = new FuzzRunner(t, t.app.contract, secrets, () => beta.identifiers);
  });

  after(async () => {
    if (runner) {
      runner.close();
      const perCategory = [...runner.tried].map(([category, count]) => `${category} ${count}`).join(", ");
      console.log(`      fuzz: ${runner.total} requests, ${runner.fiveHundreds} 5xx, ${runner.unanswered} unanswered (${perCategory})`);
    }
    await t?.close();
    putNockBack?.();
  });

  const expectClean = async (cases: Iterable<FuzzCase>) => {
    const offenders = await runner.runAll(cases);
    expect(offenders.length, describeOffenders(offenders)).to.equal(0);
  };

  describe("when the token is missing, expired, alg-none, forged or grants another tenant", () => {
    it("rejects every bearer operation with a 4xx in its error shape and calls no upstream", async () => {
      await expectClean(authCases(context));
    });
  });

  describe("when a path, query or header parameter has a wrong type, a bad SID or breaks its pattern", () => {
    it("rejects what the contract refuses with a 4xx naming the field, before any upstream call", async () => {
      await expectClean(parameterCases(context));
    });
  });

  describe("when a body field has a wrong type, is huge, unknown, missing or a bad SID", () => {
    it("rejects what the contract refuses with a 4xx naming the field, before any upstream call", async () => {
      await expectClean(bodyCases(context));
    });
  });

  describe("when the body is broken JSON, not UTF-8, too large, compressed, deeply nested or of the wrong media type", () => {
    it("answers 400, 413 or 415 in the surface's error shape, before any upstream call", async () => {
      await expectClean(rawBodyCases(context));
    });

    it("ignores or refuses a body sent to an operation that takes none", async () => {
      await expectClean(unexpectedBodyCases(context));
    });
  });

  describe("when a webhook's signature is missing, forged, stale or another tenant's", () => {
    it("refuses it with 400 or 403 before any upstream call", async () => {
      await expectClean(webhookCases(context));
    });
  });

  describe("when a well-formed SID names nothing", () => {
    it("may ask Twilio but answers 404", async () => {
      await expectClean(unknownSidCases(context));
    });
  });

  describe("when an alpha token (or an alpha-signed webhook) names beta's conversations, messages, customers and service", () => {
    it("answers 404 or finds nothing (webhooks: ignored), and never shows beta's data", async () => {
      await expectClean(crossTenantCases(context));
    });
  });

  describe("when a path is called with a method it does not declare", () => {
    it("answers 404 in the standard error shape", async () => {
      await expectClean(methodCases(context));
    });
  });

  describe("when every reading operation is called validly", () => {
    it("answers as the contract says, with nothing of beta's", async () => {
      await expectClean(controlCases(context));
    });
  });

  describe("when the run is over", () => {
    it("left beta's conversation, messages and stored SMS as they were", async () => {
      await t.emulator.whenIdle();
      expect(await snapshotTenant(t, context.beta)).to.deep.equal(betaBefore);
    });

    it("still answers GET /healthz 200, saw no 5xx and left Object.prototype unpolluted", async () => {
      const health = await t.api().withToken(null).get("/healthz");

      expect(health.status).to.equal(200);
      expect(runner.fiveHundreds, "5xx answers over the run").to.equal(0);
      expect(runner.unanswered, "requests dropped without an answer over the run").to.equal(0);
      expect(({} as Record<string, unknown>).fuzzPolluted, "Object.prototype polluted").to.equal(undefined);
    });
  });
});
