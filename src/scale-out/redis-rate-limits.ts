import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import type { LoginLimits } from "../accounts/login-throttle.js";
import { LoginThrottle } from "../accounts/login-throttle.js";
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

/** Sign-in limits counted in Redis, so failures spread over instances meet one limit (memory while Redis is away). */
export function redisLoginThrottle(redis: Redis, limits: LoginLimits): LoginThrottle {
  const limiter = (points: number, name: string) =>
    new RateLimiterRedis({
      storeClient: redis,
      points,
      duration: limits.windowSeconds,
      keyPrefix: `switchboard:login:${name}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration: limits.windowSeconds, keyPrefix: `login-${name}` }),
    });
  return new LoginThrottle(limiter(limits.failuresPerAccount, "account"), limiter(limits.attemptsPerIp, "ip"));
}
