import { LRUCache } from "lru-cache";
import { purgeStalePeriodically } from "./inbox-cache.js";

export interface CachedResponse {
  /** The serialised JSON body, as the bytes sent (encoded once, not on every answer). */
  body: Buffer;
  headers?: Record<string, string>;
}

/**
 * Finished responses of hot list reads, serialised once: the key must name everything the answer depends on
 * (tenant, the tenant's cache version, the query), so any change to the tenant's cached state misses it.
 */
export class ResponseCache {
  private readonly lru: LRUCache<string, CachedResponse, () => Promise<CachedResponse>>;

  constructor(options: { maxBytes: number; ttlMs: number }) {
    this.lru = new LRUCache({
      max: 5000,
      maxSize: options.maxBytes,
      ttl: options.ttlMs,
      sizeCalculation: (value) => Math.max(1, value.body.length),
      fetchMethod: (_key, _stale, { context }) => context(),
    });
    purgeStalePeriodically(this.lru, options.ttlMs);
  }

  async getOrBuild(key: string, build: () => Promise<CachedResponse>): Promise<CachedResponse> {
    return (await this.lru.fetch(key, { context: build }))!;
  }
}
