import { createServer, type Server } from "node:http";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { startDemoDelivery } from "./dev/demo-delivery.js";
import { seedDemoInbox } from "./dev/demo-seed.js";
import { mintDevelopmentToken } from "./dev/development-token.js";
import { startEmulatorTenant } from "./dev/emulator-tenant.js";
import { createLogger } from "./logger.js";
import { startScaleOut } from "./scale-out/scale-out.js";
import { attachChatSockets } from "./realtime/chat-socket-server.js";
import { CONVERSATION_WEBHOOK_PATH, EMAIL_EVENTS_PATH, registerConversationWebhooks } from "./webhooks/register-webhooks.js";
import { webhookUrl } from "./webhooks/webhook-url.js";

const DEMO_AGENT_ID = "agent-demo";

/** The only file that listens and handles signals. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchboard: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  const emulated = config.twilioMode === "emulator" ? await startEmulatorTenant(config.defaultTenantId, { latencyMs: config.emulator.latencyMs }) : undefined;
  if (emulated) {
    logger.warn(
      { emulatorUrl: emulated.emulator.baseUrl, accountSid: emulated.tenant.accountSid },
      "EMULATOR MODE: no Twilio credentials are set, so Switchboard runs on its embedded Twilio emulator. Nothing reaches Twilio; set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_CHAT_SERVICE_SID to use a real account.",
    );
  }
  if (config.jwt.usesDevelopmentSecret) logger.warn("JWT_SECRET is not set: using the development secret (refused in production)");

  const server = createServer(serverTimeouts(config.http));
  // A deep accept queue: Twilio delivers webhooks in bursts (Node's default of 511 overflowed in the benchmark).
  await listen(server, { port: config.port, host: config.host, backlog: 4096 }, "PORT");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  // The emulator runs beside us on loopback, so that is where it calls back.
  const publicBaseUrl = config.publicBaseUrl ?? (emulated ? `http://127.0.0.1:${port}` : undefined);

  // With REDIS_URL, every instance shares sockets, locks, dedupe, limits and cache invalidation through Redis.
  const scaleOut = config.redisUrl ? await startScaleOut(config.redisUrl, { logger, rateLimits: config.rateLimits, loginLimits: config.accounts.login }) : undefined;
  const app = createApp(config, {
    logger,
    scaleOut: scaleOut?.app,
    tenants: emulated ? [emulated.tenant] : undefined,
    twilioApiBaseUrl: emulated?.emulator.baseUrl,
    sendgridApiBaseUrl: emulated?.emulator.baseUrl,
    publicBaseUrl: () => publicBaseUrl,
    emulatorMode: emulated ? { emulator: emulated.emulator, agentId: DEMO_AGENT_ID } : undefined,
  });
  // Tenants created at sign-up (Conversations Services of the platform account) are served from the start.
  await app.accounts.start().catch((error: unknown) => logger.warn({ err: error }, "accounts: directory or tenant discovery failed; retried on first use"));
  server.on("request", app.callback);
  const realtime = attachChatSockets(server, { ...app, adapter: scaleOut?.socketAdapter });
  logger.info({ port, tenants: app.tenants.all().map((inbox) => inbox.tenant.id) }, "Switchboard is listening");
  // Operators' endpoints (tenant ids, per-tenant counts and state) on a listener of their own, never the public port.
  let metricsServer: Server | undefined;
  if (config.metricsListener) {
    metricsServer = createServer(serverTimeouts(config.http), app.operatorCallback);
    await listen(metricsServer, config.metricsListener, "METRICS_PORT");
    const { port: metricsPort } = metricsServer.address() as { port: number };
    logger.info({ host: config.metricsListener.host, port: metricsPort }, "operator endpoints (/metrics, /readyz with every tenant) are listening");
  }

  if (publicBaseUrl) {
    await registerConversationWebhooks(app.tenants, publicBaseUrl);
    emulated?.emulator.sendgrid.configureEventWebhook({ url: webhookUrl(publicBaseUrl, EMAIL_EVENTS_PATH) });
    logger.info({ url: webhookUrl(publicBaseUrl, CONVERSATION_WEBHOOK_PATH) }, "Conversations post-event webhooks registered");
  } else {
    // Refused in production (src/config.ts); elsewhere it works, but the caller names the host the signature covers.
    logger.warn(
      "PUBLIC_BASE_URL IS NOT SET: Twilio webhooks are not registered, and their signatures are checked against this request's own protocol and Host (X-Forwarded-Proto/Host with TRUST_PROXY), which the caller chooses. Set PUBLIC_BASE_URL to the URL Twilio calls (required in production).",
    );
  }
  // Emulator mode: agents' SMS/WhatsApp messages are reported sent, delivered (and read) as a phone network would.
  const stopDemoDelivery = emulated ? startDemoDelivery(emulated.emulator, app.tenants, app.events) : undefined;
  if (emulated && config.emulator.seedDemoData) {
    const count = await seedDemoInbox(app.tenants.get(config.defaultTenantId), emulated.emulator, DEMO_AGENT_ID);
    logger.info({ conversations: count }, "seeded demo conversations in the emulator");
  }

  if (config.environment !== "production") printDevelopmentAccess(config, port, app.tenants.all().map((inbox) => inbox.tenant.id));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const forced = setTimeout(() => process.exit(1), 10_000).unref();
    app.accounts.stop();
    metricsServer?.close();
    metricsServer?.closeIdleConnections();
    // Closing Socket.IO closes the HTTP server too: no new requests, in-flight ones finish.
    stopDemoDelivery?.();
    void realtime.close().then(async () => {
      await scaleOut?.close();
      await emulated?.emulator.stop();
      clearTimeout(forced);
      process.exit(0);
    });
    // Keep-alive connections that finish their last request while we drain are closed too, not left to time out.
    setInterval(() => server.closeIdleConnections(), 100).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/**
 * Node's defaults hold a request whose body trickles in for 300 s; an API wants seconds (REQUEST_TIMEOUT_MS,
 * HEADERS_TIMEOUT_MS → 408 and the connection closed). Node enforces both on a timer, every
 * `connectionsCheckingInterval` (30 s by default), so that runs at a fraction of the shorter one.
 */
function serverTimeouts(http: Config["http"]) {
  return {
    requestTimeout: http.requestTimeoutMs,
    headersTimeout: http.headersTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(http.headersTimeoutMs / 4))),
  };
}

/**
 * Listens on `options`; a port already taken (or not ours to take) fails with the setting that names it, so a
 * second instance started beside the first says which port to change.
 */
function listen(server: Server, options: { port: number; host: string; backlog?: number }, setting: "PORT" | "METRICS_PORT"): Promise<void> {
  return new Promise((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) => {
      const where = `${options.host}:${options.port}`;
      const instead = setting === "METRICS_PORT" ? " (or 0: no operator endpoints)" : "";
      if (error.code === "EADDRINUSE") reject(new Error(`${setting} ${options.port}: ${where} is already in use (another Switchboard?); set ${setting} to a free port${instead}`, { cause: error }));
      else if (error.code === "EACCES") reject(new Error(`${setting} ${options.port}: not allowed to listen on ${where}; set ${setting} to a port above 1023`, { cause: error }));
      else reject(error);
    };
    server.once("error", refuse);
    server.listen(options, () => {
      server.off("error", refuse);
      resolve();
    });
  });
}

function printDevelopmentAccess(config: Config, port: number, tenants: string[]): void {
  // 12 h, or less when JWT_MAX_LIFETIME_SECONDS is shorter, so the printed token is one the gateway accepts.
  const ttlSeconds = Math.min(12 * 60 * 60, config.jwt.maxLifetimeSeconds || Infinity);
  const token = mintDevelopmentToken(config.jwt, { userId: DEMO_AGENT_ID, tenants, ttlSeconds });
  if (!token) return;
  process.stdout.write(
    [
      "",
      `Switchboard is ready: open the inbox at http://localhost:${port}/  (API docs: http://localhost:${port}/docs)`,
      `Development token (${Math.round((ttlSeconds / 3600) * 100) / 100} h):`,
      `  export TOKEN=${token}`,
      "Try:",
      `  curl -s -H "Authorization: Bearer $TOKEN" "http://localhost:${port}/api/v1/chat/conversations?limit=10"`,
      ...(config.accounts.registrationEnabled
        ? [
            "Or sign up a tenant of your own (its token is in data.token):",
            `  curl -s -X POST http://localhost:${port}/api/auth/register -H 'content-type: application/json' -d '{"tenantName":"Acme","email":"you@acme.example","password":"correct horse battery staple","name":"You"}'`,
          ]
        : []),
      "",
    ].join("\n") + "\n",
  );
}

/** An error's message and those of its causes that add to it (what a non-Twilio answer said, a network error). */
function failureText(error: unknown): string {
  const parts: string[] = [];
  for (let cause = error, depth = 0; depth < 4 && cause !== undefined; cause = cause instanceof Error ? cause.cause : undefined, depth++) {
    const message = cause instanceof Error ? cause.message : String(cause);
    if (!parts.some((part) => part.includes(message))) parts.push(message);
  }
  return parts.join(": ");
}

main().catch((error: unknown) => {
  process.stderr.write(`switchboard: failed to start: ${failureText(error)}\n`);
  process.exit(1);
});
