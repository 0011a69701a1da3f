import { hash } from "node:crypto";
import { LRUCache } from "lru-cache";

/** Makes webhook work happen once: in memory (below), or across instances through Redis when scaled out. */
export interface WebhookDedupe {
  /** Runs `work` unless one of `keys` was already done; returns whether it ran. */
  once(keys: string[], work: () => Promise<void> | void): Promise<"applied" | "duplicate">;
}

/**
 * Makes webhook work happen once in this process. Twilio redelivers a webhook (same `I-Twilio-Idempotency-Token`)
 * when we did not answer 2xx in time; SendGrid redelivers batches. A key is remembered only after its work succeeded, so a failed
 * attempt is retried in full; concurrent deliveries of one key share the first one's work.
 */
export class InMemoryWebhookDedupe implements WebhookDedupe {
  private readonly done: LRUCache<string, true>;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(options: { maxKeys: number; ttlMs: number }) {
    this.done = new LRUCache<string, true>({ max: options.maxKeys, ttl: options.ttlMs });
  }

  /** Keys remembered. */
  get size(): number {
    return this.done.size;
  }

  /** Runs `work` unless one of `keys` was already done; returns whether it ran. */
  async once(rawKeys: string[], work: () => Promise<void> | void): Promise<"applied" | "duplicate"> {
    // Remembered as digests: a key built from a webhook's fields is a slice of its raw body, and would keep the
    // whole body alive for as long as the key is remembered (a heap snapshot of the soak found 19,000 of them).
    const keys = rawKeys.map(digestKey);
    if (keys.some((key) => this.done.has(key))) return "duplicate";
    const running = keys.map((key) => this.inFlight.get(key)).find((promise) => promise !== undefined);
    if (running) {
      await running;
      return "duplicate";
    }
    const promise = Promise.resolve().then(work);
    for (const key of keys) this.inFlight.set(key, promise);
    try {
      await promise;
      for (const key of keys) this.done.set(key, true);
      return "applied";
    } finally {
      for (const key of keys) this.inFlight.delete(key);
    }
  }
}

// One-shot `hash` (Node ≥ 20.12): no Hash object per key (a third of createHash's time for keys this short).
const digestKey = (key: string) => hash("sha1", key, "base64url");
