import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors.js";

export interface LoginLimits {
  /** Failed sign-ins one account (an email, known or not) may have within `windowSeconds`. */
  failuresPerAccount: number;
  /** Sign-in attempts (and sign-ups) one client address may make within `windowSeconds`. */
  attemptsPerIp: number;
  windowSeconds: number;
}

/**
 * Brute-force limits on sign-in (rate-limiter-flexible, like the request limits: in memory, or in Redis when
 * scaled out). An account is keyed by its normalised email whether or not it exists, so a locked account and an
 * unknown one answer alike. Over a limit: 429 with Retry-After.
 */
export class LoginThrottle {
  constructor(
    private readonly perAccount: RateLimiterAbstract,
    private readonly perIp: RateLimiterAbstract,
  ) {}

  static inMemory(limits: LoginLimits): LoginThrottle {
    return new LoginThrottle(
      new RateLimiterMemory({ points: limits.failuresPerAccount, duration: limits.windowSeconds, keyPrefix: "login-account" }),
      new RateLimiterMemory({ points: limits.attemptsPerIp, duration: limits.windowSeconds, keyPrefix: "login-ip" }),
    );
  }

  /** Counts an attempt from `ip` and refuses it when that address or the account is over its limit. */
  async attempt(ip: string, account: string): Promise<void> {
    const failures = await this.perAccount.get(account);
    if (failures && failures.remainingPoints <= 0) throw locked(failures.msBeforeNext);
    try {
      await this.perIp.consume(ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw locked(rejection.msBeforeNext);
      throw rejection;
    }
  }

  /** A wrong password (or an unknown email): one more failure for the account. */
  async failed(account: string): Promise<void> {
    try {
      await this.perAccount.consume(account);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
    }
  }

  /** A good password clears the account's failures. */
  async succeeded(account: string): Promise<void> {
    await this.perAccount.delete(account);
  }
}

function locked(msBeforeNext: number): AppError {
  return new AppError("rate_limited", "too many sign-in attempts; retry later", {
    retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)),
  });
}
