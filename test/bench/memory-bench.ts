import type { CacheMemoryReply, CacheMemoryRequest } from "./cache-memory-worker.js";
import type { BenchSettings } from "./bench-settings.js";
import type { Config } from "../../src/config.js";
import { WorkerProcess } from "./worker-process.js";

export interface MemoryRun extends CacheMemoryReply {
  label: string;
  maxEntries: number;
  /** RSS after − RSS of the same process before (modules loaded, cache empty). */
  rssDeltaBytes: number;
  /** calculatedSize ÷ maxBytes: ≤ 1 when the byte bound holds. */
  boundRatio: number;
  /** RSS delta ÷ calculatedSize: heap bytes per byte the bound counts. */
  rssPerCountedByte: number;
}

/**
 * RSS after putting `cacheEntries` conversation entries (toEntry of a record whose attributes carry the summary)
 * into an InboxCache, each run in a fresh child process (--expose-gc): once with the configured byte bound
 * (default CACHE_MAX_BYTES) and once with a bound large enough to hold them all.
 */
export async function benchCacheMemory(settings: BenchSettings, cacheConfig: Config["cache"]): Promise<MemoryRun[]> {
  const runs: Array<{ label: string; request: CacheMemoryRequest }> = [
    {
      label: "configured bound",
      request: {
        entries: settings.cacheEntries,
        maxEntries: Math.max(cacheConfig.maxEntries, settings.cacheEntries),
        maxBytes: cacheConfig.maxBytes,
        ttlMs: cacheConfig.ttlMs,
      },
    },
    {
      label: "all held (1 GiB bound)",
      request: {
        entries: settings.cacheEntries,
        maxEntries: settings.cacheEntries,
        maxBytes: 1024 ** 3,
        ttlMs: cacheConfig.ttlMs,
      },
    },
  ];
  const results: MemoryRun[] = [];
  for (const { label, request } of runs) {
    const worker = new WorkerProcess(new URL("./cache-memory-worker.ts", import.meta.url), {
      execArgv: ["--expose-gc"],
    });
    try {
      const reply = await worker.request<CacheMemoryReply>(request);
      const rssDeltaBytes = reply.rssAfterBytes - reply.rssBaselineBytes;
      results.push({
        ...reply,
        label,
        maxEntries: request.maxEntries,
        rssDeltaBytes,
        boundRatio: Math.round((reply.calculatedSize / reply.maxBytes) * 10_000) / 10_000,
        rssPerCountedByte: Math.round((rssDeltaBytes / reply.calculatedSize) * 100) / 100,
      });
    } finally {
      await worker.close();
    }
  }
  return results;
}
