import { LRUCache } from "lru-cache";
import CircuitBreaker from "opossum";
import pLimit from "p-limit";
import pThrottle from "p-throttle";
import { AppError } from "../errors.js";

export interface UpstreamGuardOptions {
  /** Most calls in flight to Twilio at once (per tenant). */
  maxInFlight: number;
  /** Writes per second to one conversation (Twilio allows 30). */
  conversationWritesPerSecond: number;
  /** After this long open, the circuit lets one trial call through. */
  breakerResetMs: number;
  /** Share of failed calls (5xx, network) in the rolling window that opens the circuit. */
  breakerErrorPercentage: number;
  /** Calls in the window before the circuit may open at all. */
  breakerVolumeThreshold: number;
}

/** An answer that counts as Twilio failing (5xx): thrown inside the breaker, unwrapped by the caller. */
export class FailedResponse<T> extends Error {
  constructor(readonly response: T) {
    super("upstream 5xx");
  }
}

const CONVERSATION_IN_PATH = /\/Conversations\/(CH[0-9a-fA-F]{32})\//;

/**
 * What stands between the gateway and one tenant's Twilio account: a bound on calls in flight, write pacing per
 * conversation below Twilio's 30/s (so the gateway never causes 429 storms), and a circuit breaker (opossum) that,
 * during an outage, answers 503 at once instead of piling up sockets, and half-opens to recover by itself.
 */
export class UpstreamGuard {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly pacers: LRUCache<string, () => Promise<void>>;

  constructor(private readonly options: UpstreamGuardOptions) {
    this.limit = pLimit(options.maxInFlight);
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      timeout: false, // each call has its own timeout
      resetTimeout: options.breakerResetMs,
      errorThresholdPercentage: options.breakerErrorPercentage,
      volumeThreshold: options.breakerVolumeThreshold,
      rollingCountTimeout: 10_000,
    });
    this.pacers = new LRUCache({ max: 10_000, ttl: 60_000 });
  }

  get state(): "closed" | "open" | "half-open" {
    return this.breaker.opened ? "open" : this.breaker.halfOpen ? "half-open" : "closed";
  }

  /** Runs one upstream call under the guard. `call` throws FailedResponse for a 5xx so the breaker counts it. */
  async run<T>(method: string, url: string, call: () => Promise<T>): Promise<T> {
    if (method.toUpperCase() !== "GET") await this.pace(url);
    return this.limit(async () => {
      try {
        return (await this.breaker.fire(call)) as T;
      } catch (error) {
        if ((error as { code?: string }).code === "EOPENBREAKER")
          throw new AppError("upstream_unavailable", "Twilio is failing; the gateway is giving it a moment", {
            retryAfterSeconds: Math.max(1, Math.ceil(this.options.breakerResetMs / 1000)),
          });
        throw error;
      }
    });
  }

  private pace(url: string): Promise<void> {
    const conversation = CONVERSATION_IN_PATH.exec(`${url}/`)?.[1];
    if (!conversation) return Promise.resolve();
    let pacer = this.pacers.get(conversation);
    if (!pacer) {
      pacer = pThrottle({ limit: this.options.conversationWritesPerSecond, interval: 1000 })(async () => {});
      this.pacers.set(conversation, pacer);
    }
    return pacer();
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
