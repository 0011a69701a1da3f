import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { LoginLimits, LoginThrottle } from "../accounts/login-throttle.js";
import type { RateLimits, RateLimitSettings } from "../http/rate-limits.js";
import type { KeyedLock } from "../inbox/keyed-lock.js";
import type { WebhookDedupe } from "../webhooks/webhook-dedupe.js";
import { CacheInvalidationBus } from "./cache-invalidation-bus.js";
import { connectRedis } from "./redis-connection.js";
import { createRedisLocks } from "./redis-keyed-lock.js";
import { redisLoginThrottle, redisRateLimits } from "./redis-rate-limits.js";
import { RedisImportJobStore } from "./redis-import-jobs.js";
import { RedisRecentActivity } from "./redis-recent-activity.js";
import { RedisWebhookDedupe } from "./redis-webhook-dedupe.js";
import type { RecentActivity } from "../inbox/recent-activity.js";
import type { ImportJobStore } from "../contacts/import-job-store.js";
import { socketAdapter } from "./socket-adapter.js";

/** What createApp shares with the other instances when scaled out. */
export interface ScaleOutDependencies {
  conversationLock(tenantId: string): KeyedLock;
  dedupe: WebhookDedupe;
  rateLimits: RateLimits;
  /** Sign-in brute-force limits (src/accounts/), counted in Redis. */
  loginThrottle: LoginThrottle;
  cacheBus: CacheInvalidationBus;
  /** The shared record of recent activity, `perTenant` conversations per tenant (outlives restarts). */
  recentActivity(perTenant: number): RecentActivity;
  /** Contact import jobs, readable from every instance. */
  importJobs: ImportJobStore;
}

export interface ScaleOut {
  app: ScaleOutDependencies;
  /** For attachChatSockets. */
  socketAdapter: ReturnType<typeof socketAdapter>;
  close(): Promise<void>;
}

/**
 * Everything one instance shares through the Redis at `REDIS_URL`: two connections (commands; the cache bus's
 * subscriber), plus the ones the Socket.IO adapter duplicates for reading its stream.
 */
export async function startScaleOut(
  redisUrl: string,
  options: { logger: Logger; rateLimits: RateLimitSettings; loginLimits: LoginLimits },
): Promise<ScaleOut> {
  const opened: Redis[] = [];
  const open = async (role: string) => {
    const client = await connectRedis(redisUrl, options.logger, role);
    opened.push(client);
    return client;
  };
  try {
    const commands = await open("commands");
    const cacheBus = await CacheInvalidationBus.start(commands, await open("cache-bus"), options.logger);
    const locks = createRedisLocks(commands);
    return {
      app: {
        conversationLock: (tenantId) => locks.forTenant(tenantId),
        dedupe: new RedisWebhookDedupe(commands),
        rateLimits: redisRateLimits(commands, options.rateLimits),
        loginThrottle: redisLoginThrottle(commands, options.loginLimits),
        cacheBus,
        recentActivity: (perTenant) => new RedisRecentActivity(commands, perTenant, options.logger),
        importJobs: new RedisImportJobStore(commands),
      },
      socketAdapter: socketAdapter(commands),
      close: async () => {
        cacheBus.close();
        await Promise.all(opened.map((client) => client.quit().catch(() => client.disconnect())));
      },
    };
  } catch (error) {
    opened.forEach((client) => client.disconnect());
    throw error;
  }
}
