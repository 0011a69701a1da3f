import { LRUCache } from "lru-cache";

export interface InboxCacheOptions {
  maxEntries: number;
  /** Bound on the summed size of cached values, measured as their UTF-8 JSON length. */
  maxBytes: number;
  ttlMs: number;
}

type Loader = () => Promise<unknown>;

/** A generation's cache entry: its number, and the keys derived from it (deleted when it is bumped). */
interface GenerationEntry {
  value: number;
  dependents?: string[];
}

/** Most keys remembered per generation (pages of one conversation's messages: a handful in practice). */
const MAX_DEPENDENTS = 64;

/** Sweeps expired entries about every `ttlMs` (at least every minute); the timer never keeps the process alive. */
export function purgeStalePeriodically(lru: { purgeStale(): boolean }, ttlMs: number): void {
  const timer = setInterval(() => lru.purgeStale(), Math.max(1_000, Math.min(ttlMs, 60_000)));
  timer.unref();
}

/**
 * A write to the cache that other instances must learn of when scaled out: the key's value changed ("invalidate":
 * they drop it) or its generation was bumped ("generation": they bump theirs). Loads are not changes.
 */
export interface CacheChange {
  kind: "invalidate" | "generation";
  key: string;
}

/**
 * The gateway's only cache: one LRU bounded by entries, bytes and TTL. Keys are always scoped by tenant
 * (`tenantKey`), so one tenant can never read another's entries. Concurrent `getOrLoad` calls for one key share a
 * single load (lru-cache's fetch coalesces them), so a cold key never causes a thundering herd upstream.
 */
export class InboxCache {
  private readonly lru: LRUCache<string, object, Loader>;
  private hits = 0;
  private misses = 0;
  private generationCounter = 0;
  /** Per tenant: changes on every write, fill or delete of one of its keys (see `tenantVersion`). */
  private readonly tenantVersions = new Map<string, number>();
  private readonly listeners = new Set<(change: CacheChange) => void>();
  private readonly remoteListeners = new Set<(change: CacheChange) => void>();

  constructor(options: InboxCacheOptions) {
    this.lru = new LRUCache<string, object, Loader>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      ttl: options.ttlMs,
      sizeCalculation: (value) => Math.max(1, Buffer.byteLength(JSON.stringify(value))),
      fetchMethod: async (_key, _stale, { context }) => (await context()) as object,
    });
    // lru-cache drops an expired entry only when it is read or pushed out: sweep them, so entries nobody reads any
    // more (pages of an old generation) do not sit in memory until the byte bound pushes them out.
    purgeStalePeriodically(this.lru, options.ttlMs);
  }

  get<T extends object>(key: string): T | undefined {
    const value = this.lru.get(key) as T | undefined;
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  /**
   * A write: the value the gateway just wrote or learned of (other instances drop theirs). `sizeBytes`, when the
   * caller knows it, spares serialising the value to measure it (a conversation's entry: kilobytes, on every webhook).
   */
  set(key: string, value: object, sizeBytes?: number): void {
    this.lru.set(key, value, sizeOption(sizeBytes));
    this.touch(key);
    this.changed({ kind: "invalidate", key });
  }

  /** Caches what a load read from Twilio; not a change, so other instances are not told. */
  fill(key: string, value: object, sizeBytes?: number): void {
    this.lru.set(key, value, sizeOption(sizeBytes));
    this.touch(key);
  }

  delete(key: string): void {
    this.lru.delete(key);
    this.touch(key);
    this.changed({ kind: "invalidate", key });
  }

  /**
   * A number that changes whenever anything of this tenant's changes in the cache (writes, fills, deletes,
   * generations, remote invalidations): a response derived from the tenant's cached state stays valid while it
   * does not change.
   */
  tenantVersion(tenantId: string): number {
    return this.tenantVersions.get(tenantId) ?? 0;
  }

  private touch(key: string): void {
    const tenantId = key.slice(0, key.indexOf("|"));
    this.tenantVersions.set(tenantId, ++this.generationCounter);
  }

  /** Read-through: the cached value, or the result of `load` (shared by every concurrent caller). */
  async getOrLoad<T extends object>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.lru.has(key)) this.hits++;
    else this.misses++;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.lru.fetch(key, { context: load })) as T;
      } catch (error) {
        // A write replaced or deleted the key while it loaded (lru-cache aborts the fetch): the load's answer is
        // stale, so read again — the written value if there is one, else a fresh load.
        const aborted = error instanceof Error && (error.message === "deleted" || error.message === "replaced");
        if (!aborted || attempt >= 3) throw error;
      }
    }
  }

  /**
   * A token that changes whenever `bumpGeneration` is called for `key`; cached views derived from something
   * with many variants (message pages) include it in their keys, so one bump invalidates all of them. Values
   * are never reused, so an evicted generation cannot revive stale entries.
   */
  generation(key: string): number {
    const existing = this.lru.get(key) as GenerationEntry | undefined;
    if (existing) return existing.value;
    return this.newGeneration(key);
  }

  /**
   * Records that `key` was derived from generation `generationKey` (a page of messages): the next bump deletes it at
   * once, instead of leaving a page no reader will ask for again to the LRU.
   */
  addDependent(generationKey: string, key: string): void {
    const generation = this.lru.get(generationKey, { updateAgeOnGet: false }) as GenerationEntry | undefined;
    if (!generation) return;
    generation.dependents ??= [];
    if (generation.dependents.length < MAX_DEPENDENTS && !generation.dependents.includes(key)) generation.dependents.push(key);
  }

  bumpGeneration(key: string): number {
    const value = this.newGeneration(key);
    this.changed({ kind: "generation", key });
    return value;
  }

  /** Listens to writes (set, delete, bumpGeneration); returns the unsubscriber. */
  onChange(listener: (change: CacheChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies another instance's change here, without telling the listeners (it is not this instance's write). */
  applyRemoteChange(change: CacheChange): void {
    if (change.kind === "generation") this.newGeneration(change.key);
    else {
      this.lru.delete(change.key);
      this.touch(change.key);
    }
    for (const listener of this.remoteListeners) listener(change);
  }

  /** Listens to other instances' changes as they are applied here; returns the unsubscriber. */
  onRemoteChange(listener: (change: CacheChange) => void): () => void {
    this.remoteListeners.add(listener);
    return () => this.remoteListeners.delete(listener);
  }

  /** Tells other instances of `key` (as an invalidation) without storing anything here: news, not a value. */
  announce(key: string): void {
    this.changed({ kind: "invalidate", key });
  }

  private newGeneration(key: string): number {
    const previous = this.lru.get(key, { updateAgeOnGet: false }) as GenerationEntry | undefined;
    // (One being loaded again right now is left alone: deleting it would abort its readers' load.)
    for (const dependent of previous?.dependents ?? []) if (this.lru.has(dependent)) this.lru.delete(dependent);
    const value = ++this.generationCounter;
    this.lru.set(key, { value } satisfies GenerationEntry);
    this.touch(key);
    return value;
  }

  private changed(change: CacheChange): void {
    for (const listener of this.listeners) listener(change);
  }

  stats() {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize, hits: this.hits, misses: this.misses };
  }

  clear(): void {
    this.lru.clear();
    for (const tenantId of this.tenantVersions.keys()) this.tenantVersions.set(tenantId, ++this.generationCounter);
  }
}

/** A cache key scoped to one tenant. */
export const tenantKey = (tenantId: string, ...parts: Array<string | number>): string =>
  [tenantId, ...parts].join("|");

/** lru-cache's option for a size the caller gave (a positive integer); none: the cache measures the value itself. */
const sizeOption = (sizeBytes: number | undefined) => (sizeBytes === undefined ? undefined : { size: Math.max(1, Math.ceil(sizeBytes)) });
