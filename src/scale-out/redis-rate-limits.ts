import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { RateLimits, type RateLimitSettings } from "../http/rate-limits.js";

/**
 * Per-user and per-IP limits counted in Redis, so a client spread over every instance meets one limit. While Redis
 * is away, each instance falls back to counting in memory (the insurance limiter) rather than failing requests.
 */
export function redisRateLimits(redis: Redis, settings: RateLimitSettings): RateLimits {
  return new RateLimits(
    settings,
    (points, name) =>
      new RateLimiterRedis({
        storeClient: redis,
        points,
        duration: 60,
        keyPrefix: `switchboard:rate:${name}`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: 60, keyPrefix: name }),
      }),
  );
}
