import { TwilioError } from "../twilio-error.js";

const WINDOW_MS = 1000;

/**
 * Twilio's Conversations limits: 30 writes/s per conversation and 30 conversation creates/s per
 * service; past that the request is refused with 429 and error 50063.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    public enabled: boolean,
    private readonly perSecond = 30,
  ) {}

  /** Counts one hit on `key`; throws the 429 when the key is over its budget. */
  take(key: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    const recent = (this.hits.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    if (recent.length >= this.perSecond) {
      this.hits.set(key, recent);
      throw new TwilioError(429, 50063, "Too many requests", 1);
    }
    recent.push(now);
    this.hits.set(key, recent);
  }
}
