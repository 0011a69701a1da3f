import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { pino } from "pino";
import { createApp, type SwitchboardApp } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import { TwilioEmulator, type EmulatorOptions } from "../../src/emulator/index.js";
import type { AuditRecord } from "../../src/logger.js";
import type { RemoteMediaFetchDeps } from "../../src/media/remote-media-fetch.js";
import type { TenantConfig } from "../../src/tenants/tenant-config.js";
import type { UpstreamCallEvent } from "../../src/twilio/upstream-request-client.js";
import { expect } from "chai";
import { attachChatSockets } from "../../src/realtime/chat-socket-server.js";
import { EMAIL_EVENTS_PATH, registerConversationWebhooks } from "../../src/webhooks/register-webhooks.js";
import { webhookUrl } from "../../src/webhooks/webhook-url.js";
import { ApiClient } from "./api-client.js";
import { undeclaredStatus } from "./match-operation.js";
import { createTwilioSpecChecker } from "./twilio-spec.js";

export const TEST_JWT_SECRET = "test-secret-0123456789-0123456789-abcdef";

export interface TestApp {
  baseUrl: string;
  /** The operators' listener (/metrics, detailed /readyz), as main.ts serves it on METRICS_PORT. */
  operatorUrl: string;
  emulator: TwilioEmulator;
  app: SwitchboardApp;
  /** The gateway's Socket.IO server. */
  realtime: ReturnType<typeof attachChatSockets>;
  config: Config;
  /** Tenants "alpha" and "beta": two Twilio accounts, each with its own service and numbers. */
  tenants: Record<"alpha" | "beta", TenantConfig>;
  /** Audit lines the gateway wrote. */
  auditRecords: AuditRecord[];
  /** What the Twilio spec checker found wrong in the traffic so far (close() fails unless empty). */
  fidelityProblems: string[];
  /**
   * Answers the gateway gave with a status its operation does not declare, whoever asked — the test client, the
   * fuzz, the emulator's webhooks and status callbacks, a raw fetch (close() fails unless empty).
   */
  undeclaredAnswers: string[];
  /** Every upstream call the gateway made, per tenant, in order. */
  upstreamCalls: Array<UpstreamCallEvent & { tenantId: string }>;
  token(claims?: { sub?: string; tenants?: string[]; expiresIn?: number }): string;
  /** A contract-checking client with a token for `tenantId`. */
  api(tenantId?: "alpha" | "beta"): ApiClient;
  close(): Promise<void>;
}

/**
 * Starts the emulator and the gateway on loopback ports, wired as in production: the gateway reaches the emulator
 * only through the twilio SDK with TWILIO_API_BASE_URL pointing at it.
 */
export async function startApp(
  options: {
    env?: Record<string, string>;
    emulator?: EmulatorOptions;
    webhooks?: boolean;
    /** Tenants reach Twilio with an API key of their account (as TWILIO_API_KEY + TWILIO_API_SECRET) instead of the auth token. */
    twilioApiKeys?: boolean;
    /** Tenants served beside alpha and beta (e.g. one sharing alpha's Twilio account, with a service of its own). */
    moreTenants?: (emulator: TwilioEmulator, tenants: Record<"alpha" | "beta", TenantConfig>) => TenantConfig[];
    /**
     * The base URL webhook signatures are checked against; default: the gateway's own loopback address (as
     * PUBLIC_BASE_URL would be). `null`: none, as with PUBLIC_BASE_URL unset (the URL is the request's own).
     */
    publicBaseUrl?: string | null;
    /** Other ids naming a tenant (TENANTS_FILE's `aliases`). */
    aliases?: Partial<Record<"alpha" | "beta", string[]>>;
    /** Another gateway on the same emulator and tenants (a restart, a second instance); close() leaves the emulator running. */
    sameTwilioAs?: TestApp;
    /** Collects the gateway's log lines (JSON, level trace) instead of silencing them. */
    logLines?: string[];
    /** The business API's media fetch: a resolver for test host names and the test CA (test/support/https-test-server.ts). */
    mediaFetch?: RemoteMediaFetchDeps;
  } = {},
): Promise<TestApp> {
  const emulator = options.sameTwilioAs?.emulator ?? (await TwilioEmulator.start({ rateLimits: false, ...options.emulator }));
  // Fidelity: every exchange between gateway and emulator must match Twilio's published OpenAPI description.
  const checker = createTwilioSpecChecker();
  const fidelityProblems: string[] = [];
  emulator.onExchange((exchange) => fidelityProblems.push(...checker.checkResponse(exchange), ...checker.checkRequestParams(exchange)));
  const provision = (id: "alpha" | "beta", phone: string, whatsapp: string): TenantConfig => {
    const account = emulator.createAccount({ friendlyName: id });
    return {
      id,
      accountSid: account.accountSid,
      authToken: account.authToken,
      conversationsServiceSid: account.defaultServiceSid,
      ...(options.twilioApiKeys ? { apiKey: emulator.createApiKey(account.accountSid, `${id} gateway`) } : {}),
      ...(options.aliases?.[id] ? { aliases: options.aliases[id] } : {}),
      phoneNumber: phone,
      whatsappNumber: whatsapp,
      sendgrid: {
        apiKey: emulator.sendgrid.createApiKey(),
        fromEmail: `inbox@${id}.example`,
        fromName: `${id} support`,
        webhookPublicKey: emulator.sendgrid.webhookPublicKey,
      },
    };
  };
  const tenants = options.sameTwilioAs?.tenants ?? {
    alpha: provision("alpha", "+15005550001", "whatsapp:+15005550101"),
    beta: provision("beta", "+15005550002", "whatsapp:+15005550102"),
  };
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: TEST_JWT_SECRET,
    TWILIO_API_BASE_URL: emulator.baseUrl,
    UPSTREAM_RETRY_BASE_MS: "5",
    UPSTREAM_MAX_RETRY_DELAY_MS: "50",
    UPSTREAM_TIMEOUT_MS: "2000",
    // Tests inject outages on purpose; the circuit breaker has its own tests (test/twilio/upstream-guard.test.ts).
    UPSTREAM_BREAKER_MIN_CALLS: "100000",
    // Likewise the rate limits (test/http/security.test.ts, test/realtime/socket-guard.test.ts).
    RATE_LIMIT_PER_USER_PER_MINUTE: "0",
    RATE_LIMIT_PER_IP_PER_MINUTE: "0",
    RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE: "0",
    ...options.env,
  });
  const upstreamCalls: TestApp["upstreamCalls"] = [];
  const auditRecords: AuditRecord[] = [];
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator.sendgrid.configureEventWebhook({ url: webhookUrl(baseUrl, EMAIL_EVENTS_PATH) });
  const app = createApp(config, {
    logger: options.logLines ? pino({ level: "trace" }, { write: (line: string) => void options.logLines!.push(line) }) : pino({ level: "silent" }),
    sendgridApiBaseUrl: emulator.baseUrl,
    tenants: [tenants.alpha, tenants.beta, ...(options.moreTenants?.(emulator, tenants) ?? [])],
    ...(options.publicBaseUrl === null ? {} : { publicBaseUrl: () => options.publicBaseUrl ?? baseUrl }),
    audit: (record) => auditRecords.push(record),
    onUpstreamCall: (tenantId, event) => upstreamCalls.push({ ...event, tenantId }),
    ...(options.mediaFetch ? { mediaFetch: options.mediaFetch } : {}),
  });
  // As main.ts: the directory service is found and tenants created at sign-up discovered before serving.
  await app.accounts.start();
  const undeclaredAnswers: string[] = [];
  const rewrites = { "/twilio": config.phpCompatBasePath };
  server.on("request", (req, res) => {
    res.once("finish", () => {
      // A CORS preflight is answered by the CORS layer for any path, before routing: not an answer of the API.
      if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) return;
      const problem = undeclaredStatus(app.contract, req.method ?? "", req.url ?? "", res.statusCode, rewrites);
      if (problem) undeclaredAnswers.push(`${problem} (${req.method} ${(req.url ?? "").slice(0, 200)})`);
    });
    app.callback(req, res);
  });
  const realtime = attachChatSockets(server, app);
  const operatorServer = createServer(app.operatorCallback);
  await new Promise<void>((resolve) => operatorServer.listen(0, "127.0.0.1", resolve));
  if (options.webhooks !== false) {
    await registerConversationWebhooks(app.tenants, baseUrl);
    upstreamCalls.length = 0;
  }

  const token: TestApp["token"] = (claims = {}) =>
    jwt.sign({ tenants: claims.tenants ?? ["alpha"] }, TEST_JWT_SECRET, {
      algorithm: "HS256",
      subject: claims.sub ?? "agent-1",
      expiresIn: claims.expiresIn ?? 3600,
    });

  return {
    baseUrl,
    operatorUrl: `http://127.0.0.1:${(operatorServer.address() as AddressInfo).port}`,
    emulator,
    app,
    realtime,
    config,
    tenants,
    upstreamCalls,
    auditRecords,
    fidelityProblems,
    undeclaredAnswers,
    token,
    api: (tenantId = "alpha") => new ApiClient(baseUrl, app.contract, token({ tenants: [tenantId] })),
    close: async () => {
      app.accounts.stop();
      if (!options.sameTwilioAs) await emulator.stop();
      server.closeAllConnections();
      operatorServer.close();
      operatorServer.closeAllConnections();
      await realtime.close();
      expect(fidelityProblems, "gateway ↔ emulator traffic breaks Twilio's OpenAPI description").to.deep.equal([]);
      expect(undeclaredAnswers, "the gateway answered with statuses openapi.yaml does not declare").to.deep.equal([]);
    },
  };
}
