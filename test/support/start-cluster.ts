import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { pino } from "pino";
import { createApp, type SwitchboardApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { TwilioEmulator } from "../../src/emulator/index.js";
import { attachChatSockets } from "../../src/realtime/chat-socket-server.js";
import { startScaleOut } from "../../src/scale-out/scale-out.js";
import type { TenantConfig } from "../../src/tenants/tenant-config.js";
import { registerConversationWebhooks } from "../../src/webhooks/register-webhooks.js";
import { ApiClient } from "./api-client.js";
import { startLoadBalancer, type LoadBalancer } from "./load-balancer.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { TEST_JWT_SECRET } from "./start-app.js";

export interface GatewayInstance {
  baseUrl: string;
  app: SwitchboardApp;
  api(sub?: string): ApiClient;
}

export interface TestCluster {
  redis: RedisServer;
  emulator: TwilioEmulator;
  /** PUBLIC_BASE_URL of both instances and Twilio's webhook URL. */
  balancer: LoadBalancer;
  instances: [GatewayInstance, GatewayInstance];
  tenant: TenantConfig;
  token(sub?: string): string;
  close(): Promise<void>;
}

/**
 * A Redis, one emulator and two gateway instances sharing that Redis (REDIS_URL) behind a round-robin load
 * balancer on loopback, which is registered as the service's webhook URL: Twilio's webhooks split over both.
 */
export async function startCluster(env: Record<string, string> = {}): Promise<TestCluster> {
  const redis = await startRedisServer();
  const emulator = await TwilioEmulator.start({ rateLimits: false });
  const account = emulator.createAccount({ friendlyName: "alpha" });
  const tenant: TenantConfig = {
    id: "alpha",
    accountSid: account.accountSid,
    authToken: account.authToken,
    conversationsServiceSid: account.defaultServiceSid,
    phoneNumber: "+15005550001",
  };
  const balancer = await startLoadBalancer();
  const token = (sub = "agent-1") => jwt.sign({ tenants: ["alpha"] }, TEST_JWT_SECRET, { algorithm: "HS256", subject: sub, expiresIn: 3600 });
  const closers: Array<() => Promise<void>> = [];

  const startInstance = async (): Promise<GatewayInstance> => {
    const config = loadConfig({
      NODE_ENV: "test",
      JWT_SECRET: TEST_JWT_SECRET,
      TWILIO_API_BASE_URL: emulator.baseUrl,
      PUBLIC_BASE_URL: balancer.url,
      REDIS_URL: redis.url,
      UPSTREAM_RETRY_BASE_MS: "5",
      UPSTREAM_MAX_RETRY_DELAY_MS: "50",
      UPSTREAM_BREAKER_MIN_CALLS: "100000",
      RATE_LIMIT_PER_IP_PER_MINUTE: "0",
      ...env,
    });
    const logger = pino({ level: "silent" });
    const scaleOut = await startScaleOut(config.redisUrl!, { logger, rateLimits: config.rateLimits, loginLimits: config.accounts.login });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Audit lines are tested elsewhere (test/http/message-audit.test.ts); here they would only fill the output.
    const app = createApp(config, { logger, tenants: [tenant], scaleOut: scaleOut.app, audit: () => {} });
    server.on("request", app.callback);
    const realtime = attachChatSockets(server, { ...app, adapter: scaleOut.socketAdapter });
    closers.push(async () => {
      server.closeAllConnections();
      await realtime.close();
      await scaleOut.close();
    });
    return { baseUrl, app, api: (sub) => new ApiClient(baseUrl, app.contract, token(sub)) };
  };

  const instances: [GatewayInstance, GatewayInstance] = [await startInstance(), await startInstance()];
  balancer.targets = instances.map((instance) => instance.baseUrl);
  await registerConversationWebhooks(instances[0].app.tenants, balancer.url);

  return {
    redis,
    emulator,
    balancer,
    instances,
    tenant,
    token,
    close: async () => {
      await emulator.stop();
      for (const close of closers) await close();
      await balancer.close();
      await redis.stop();
    },
  };
}
