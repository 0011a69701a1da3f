import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors.js";

/**
 * Per-user and per-IP request limits (rate-limiter-flexible; in memory, or shared through Redis when scaled out).
 * Over the limit: 429 with Retry-After. A limit of 0 turns it off.
 */
export class RateLimits {
  constructor(
    private readonly perUser: RateLimiterAbstract | undefined,
    private readonly perIp: RateLimiterAbstract | undefined,
  ) {}

  static inMemory(limits: { perUserPerMinute: number; perIpPerMinute: number }): RateLimits {
    const limiter = (points: number, keyPrefix: string) =>
      points > 0 ? new RateLimiterMemory({ points, duration: 60, keyPrefix }) : undefined;
    return new RateLimits(limiter(limits.perUserPerMinute, "user"), limiter(limits.perIpPerMinute, "ip"));
  }

  consumeUser(tenantId: string, userId: string): Promise<void> {
    return consume(this.perUser, `${tenantId}:${userId}`, "this user");
  }

  consumeIp(ip: string): Promise<void> {
    return consume(this.perIp, ip, "this address");
  }
}

async function consume(limiter: RateLimiterAbstract | undefined, key: string, who: string): Promise<void> {
  if (!limiter) return;
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw new AppError("rate_limited", `too many requests from ${who}; retry later`, {
      retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
    });
  }
}
