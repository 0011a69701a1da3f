import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors.js";

/** Points per minute of each limit (config.rateLimits); 0 turns one off. */
export interface RateLimitSettings {
  perUserPerMinute: number;
  perIpPerMinute: number;
  /** Socket.IO client events (subscribe, typing, …) per user, counted apart from REST requests. */
  socketEventsPerUserPerMinute: number;
}

/** Builds one limiter of `points` per minute under `name` (in memory, or in Redis when scaled out). */
export type LimiterFactory = (points: number, name: string) => RateLimiterAbstract;

/**
 * Per-user and per-IP request limits, and per-user Socket.IO event limits (rate-limiter-flexible; in memory, or
 * shared through Redis when scaled out). Over the limit: AppError rate_limited (429 with Retry-After on REST).
 */
export class RateLimits {
  private readonly perUser: RateLimiterAbstract | undefined;
  private readonly perIp: RateLimiterAbstract | undefined;
  private readonly perUserSocketEvents: RateLimiterAbstract | undefined;

  constructor(settings: RateLimitSettings, limiter: LimiterFactory) {
    const build = (points: number, name: string) => (points > 0 ? limiter(points, name) : undefined);
    this.perUser = build(settings.perUserPerMinute, "user");
    this.perIp = build(settings.perIpPerMinute, "ip");
    this.perUserSocketEvents = build(settings.socketEventsPerUserPerMinute, "socket-events");
  }

  static inMemory(settings: RateLimitSettings): RateLimits {
    return new RateLimits(settings, (points, keyPrefix) => new RateLimiterMemory({ points, duration: 60, keyPrefix }));
  }

  consumeUser(tenantId: string, userId: string): Promise<void> {
    return consume(this.perUser, `${tenantId}:${userId}`, "too many requests from this user");
  }

  consumeIp(ip: string): Promise<void> {
    return consume(this.perIp, ip, "too many requests from this address");
  }

  /** One client event of a user's sockets (all of them, on every namespace, count together). */
  consumeSocketEvent(tenantId: string, userId: string): Promise<void> {
    return consume(this.perUserSocketEvents, `${tenantId}:${userId}`, "too many socket events from this user");
  }
}

const NOTHING = () => undefined;
const ALLOWED = Promise.resolve();

/** One point of `limiter` for `key`; over the limit, a rate_limited AppError (one promise: no async wrapper around it). */
function consume(limiter: RateLimiterAbstract | undefined, key: string, what: string): Promise<void> {
  if (!limiter) return ALLOWED;
  return limiter.consume(key).then(NOTHING, (rejection: unknown) => {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw new AppError("rate_limited", `${what}; retry later`, {
      retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
    });
  });
}
