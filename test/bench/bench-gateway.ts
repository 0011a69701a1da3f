import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { pino } from "pino";
import { createApp, type SwitchboardApp } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import { TwilioEmulator } from "../../src/emulator/index.js";
import { attachChatSockets } from "../../src/realtime/chat-socket-server.js";
import { startScaleOut } from "../../src/scale-out/scale-out.js";
import type { TenantConfig } from "../../src/tenants/tenant-config.js";
import {
  CONVERSATION_WEBHOOK_FILTERS,
  CONVERSATION_WEBHOOK_PATH,
  registerConversationWebhooks,
} from "../../src/webhooks/register-webhooks.js";
import { ArrivalClock } from "./arrival-clock.js";
import { LISTEN_BACKLOG } from "./listen-on-loopback.js";

export const BENCH_JWT_SECRET = "bench-secret-0123456789-0123456789-abcdef";

export type BenchTenantId = "alpha" | "beta";

/** The real gateway, booted in-process as test/support/start-app.ts boots it, against an in-process emulator. */
export interface BenchGateway {
  baseUrl: string;
  emulator: TwilioEmulator;
  app: SwitchboardApp;
  /** The gateway's Socket.IO server. */
  realtime: ReturnType<typeof attachChatSockets>;
  server: Server;
  config: Config;
  tenants: Record<BenchTenantId, TenantConfig>;
  /** Arrival time of each request carrying `x-bench-seq` (webhook → socket runs). */
  arrivals: ArrivalClock;
  /** Every upstream call attempt the gateway made (its own count, beside the emulator's request log). */
  upstream: { attempts: number; durationsMs: number[] };
  token(tenantId?: BenchTenantId): string;
  /**
   * Points every tenant's post-event webhooks at the gateway (registerConversationWebhooks, as main.ts does), or
   * at nothing. `gateway-without-echo` leaves out onConversationUpdated, the webhook Twilio fires for the gateway's own
   * attribute writes.
   */
  routeWebhooks(mode: "gateway" | "gateway-without-echo" | "off", gatewayBaseUrl?: string): Promise<void>;
  /** Resolves once the emulator has no webhook in flight and no REST call arrived for `quietMs`. */
  quiesce(quietMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Gateway settings a benchmark run may override from its environment (to try a tuning; defaults otherwise). */
export const TUNABLE = /^(UPSTREAM_|CACHE_|RATE_LIMIT_|REALTIME_CONVERSATION_UPDATE_MS$|REALTIME_FEED_BATCH_MS$|CONVERSATION_INDEX_LIMIT$|SEARCH_INDEX_MAX_MESSAGES$|WEBHOOK_DEDUPE_MAX_KEYS$)/;

function gatewayTuning(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => TUNABLE.test(entry[0]) && entry[1] !== undefined),
  );
}

/** The gateway's part of a bench gateway (its HTTP server, app and sockets), for a given emulator and tenants. */
export interface BootedGateway {
  baseUrl: string;
  app: SwitchboardApp;
  realtime: ReturnType<typeof attachChatSockets>;
  server: Server;
  config: Config;
  arrivals: ArrivalClock;
  upstream: { attempts: number; durationsMs: number[] };
  close(): Promise<void>;
}

/** How an instance of a scaled-out gateway is booted: its Redis, and the one public URL all instances answer for. */
export interface ScaleOutSettings {
  redisUrl: string;
  /** PUBLIC_BASE_URL: webhooks are signed for it, whichever instance they reach. */
  publicBaseUrl: string;
}

/**
 * Boots the gateway as the bench runs it, against `emulatorBaseUrl` (in this process or another one); with
 * `scaleOut`, as one instance of several sharing a Redis (REDIS_URL: the Socket.IO adapter, dedupe, locks, cache bus).
 */
export async function bootBenchGateway(
  emulatorBaseUrl: string,
  tenants: Record<BenchTenantId, TenantConfig>,
  scaleOut?: ScaleOutSettings,
): Promise<BootedGateway> {
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    JWT_SECRET: BENCH_JWT_SECRET,
    TWILIO_API_BASE_URL: emulatorBaseUrl,
    ...(scaleOut ? { REDIS_URL: scaleOut.redisUrl, PUBLIC_BASE_URL: scaleOut.publicBaseUrl } : {}),
    UPSTREAM_TIMEOUT_MS: "60000",
    // The load comes from one user and one address: the per-user/per-IP limits stay in the path but never reject.
    RATE_LIMIT_PER_USER_PER_MINUTE: "1000000000",
    RATE_LIMIT_PER_IP_PER_MINUTE: "1000000000",
    RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE: "1000000000",
    ...gatewayTuning(process.env),
  });
  const server = createServer();
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: LISTEN_BACKLOG }, resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const arrivals = new ArrivalClock();
  const upstream = { attempts: 0, durationsMs: [] as number[] };
  server.on("request", (request: IncomingMessage) => arrivals.stamp(request));
  const logger = pino({ level: "silent" });
  const redis = config.redisUrl
    ? await startScaleOut(config.redisUrl, { logger, rateLimits: config.rateLimits, loginLimits: config.accounts.login })
    : undefined;
  const app = createApp(config, {
    logger,
    tenants: [tenants.alpha, tenants.beta],
    publicBaseUrl: () => scaleOut?.publicBaseUrl ?? baseUrl,
    ...(redis ? { scaleOut: redis.app } : {}),
    audit: () => undefined,
    onUpstreamCall: (_tenantId, event) => {
      upstream.attempts++;
      if (upstream.durationsMs.length < 1_000_000) upstream.durationsMs.push(event.durationMs);
    },
  });
  server.on("request", app.callback);
  const realtime = attachChatSockets(server, redis ? { ...app, adapter: redis.socketAdapter } : app);
  return {
    baseUrl,
    app,
    realtime,
    server,
    config,
    arrivals,
    upstream,
    close: async () => {
      server.closeAllConnections();
      await realtime.close();
      await redis?.close();
    },
  };
}

export async function startBenchGateway(): Promise<BenchGateway> {
  const emulator = await TwilioEmulator.start({ rateLimits: false, webhookRetries: 0, webhookTimeoutMs: 60_000 });
  const provision = (id: BenchTenantId, phone: string): TenantConfig => {
    const account = emulator.createAccount({ friendlyName: id });
    return {
      id,
      accountSid: account.accountSid,
      authToken: account.authToken,
      conversationsServiceSid: account.defaultServiceSid,
      phoneNumber: phone,
      whatsappNumber: `whatsapp:${phone}`,
    };
  };
  const tenants = { alpha: provision("alpha", "+15005550001"), beta: provision("beta", "+15005550002") };
  const { baseUrl, app, realtime, server, config, arrivals, upstream, close } = await bootBenchGateway(emulator.baseUrl, tenants);

  const routeWebhooks: BenchGateway["routeWebhooks"] = async (mode, gatewayBaseUrl = baseUrl) => {
    // As in production: the gateway registers itself through the twilio SDK.
    if (mode === "gateway") return registerConversationWebhooks(app.tenants, gatewayBaseUrl);
    const filters = CONVERSATION_WEBHOOK_FILTERS.filter(
      (name) => mode !== "gateway-without-echo" || name !== "onConversationUpdated",
    );
    for (const tenant of Object.values(tenants)) {
      const postWebhookUrl = mode === "off" ? "" : `${gatewayBaseUrl}${CONVERSATION_WEBHOOK_PATH}`;
      emulator.configureWebhooks(tenant.accountSid, tenant.conversationsServiceSid, { postWebhookUrl, filters });
    }
  };

  return {
    baseUrl,
    emulator,
    app,
    realtime,
    server,
    config,
    tenants,
    arrivals,
    upstream,
    token: (tenantId = "alpha") =>
      jwt.sign({ tenants: [tenantId] }, BENCH_JWT_SECRET, {
        algorithm: "HS256",
        subject: "agent-bench",
        expiresIn: 3600,
      }),
    routeWebhooks,
    quiesce: async (quietMs = 100) => {
      for (;;) {
        await emulator.whenIdle();
        const before = emulator.requests.count();
        await new Promise((resolve) => setTimeout(resolve, quietMs));
        if (emulator.requests.count() === before) return;
      }
    },
    close: async () => {
      await emulator.stop();
      await close();
    },
  };
}
