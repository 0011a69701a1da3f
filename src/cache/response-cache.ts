import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { compress, type ContentCoding } from "../http/content-encoding.js";
import { purgeStalePeriodically } from "./inbox-cache.js";

export interface CachedResponse {
  /** The serialised JSON body, as the bytes sent (encoded once, not on every answer). */
  body: Buffer;
  headers?: Record<string, string>;
  /** Strong validator of `body` and `headers` for the tenant (set by the cache when the answer is built). */
  etag: string;
  /** The body compressed with each coding asked for so far: compressed once, on first demand, then reused. */
  encoded: Partial<Record<ContentCoding, Promise<Buffer>>>;
  /** The same once compressed, for answering without waiting on a promise. */
  compressed?: Partial<Record<ContentCoding, Buffer>>;
}

/** What a builder returns: the answer before the cache adds its validator. */
export interface BuiltResponse {
  body: Buffer;
  headers?: Record<string, string>;
}

/**
 * The ETag of an answer: a digest of the tenant, the body and its headers. Computed once per built answer; a page
 * rebuilt after a change elsewhere in the tenant that left it unchanged keeps its ETag (a poller gets a 304), and
 * two tenants never share one (even for equal bytes, such as two empty lists).
 */
export function etagOf(tenantId: string, answer: BuiltResponse): string {
  const hash = createHash("sha256").update(tenantId).update("\0").update(answer.body);
  if (answer.headers) hash.update("\0").update(JSON.stringify(answer.headers));
  return `"${hash.digest("base64url").slice(0, 27)}"`;
}

/** The body in `coding`, compressed the first time it is asked for. */
export function encodedBody(answer: CachedResponse, coding: ContentCoding): Promise<Buffer> {
  let encoded = answer.encoded[coding];
  if (!encoded) {
    encoded = answer.encoded[coding] = compress(answer.body, coding);
    encoded.then(
      (body) => ((answer.compressed ??= {})[coding] = body),
      // A failed compression is not kept: the next request tries again.
      () => {
        if (answer.encoded[coding] === encoded) delete answer.encoded[coding];
      },
    );
  }
  return encoded;
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
      // The body, and room for its compressed forms (JSON pages compress to well under a quarter each).
      sizeCalculation: (value) => Math.max(1, Math.ceil(value.body.length * 1.5)),
      fetchMethod: (_key, _stale, { context }) => context(),
    });
    purgeStalePeriodically(this.lru, options.ttlMs);
  }

  /** The answer held under `key`, without building it (a conditional request that matches needs nothing more). */
  peek(key: string): CachedResponse | undefined {
    return this.lru.get(key);
  }

  async getOrBuild(key: string, tenantId: string, build: () => Promise<BuiltResponse>): Promise<CachedResponse> {
    return (await this.lru.fetch(key, {
      context: async () => {
        const built = await build();
        return { ...built, etag: etagOf(tenantId, built), encoded: {} };
      },
    }))!;
  }
}
