import type { BenchGateway, BenchTenantId } from "./bench-gateway.js";
import type { BenchSettings } from "./bench-settings.js";
import { latencyStats, type LatencyStats } from "./latency-stats.js";
import { timedGet, type TimedResponse } from "./timed-get.js";

/** Upstream calls and latency of a set of identical requests. */
export interface RequestSamples {
  requests: number;
  /** Upstream (emulator) REST calls per request: median and most. */
  callsMedian: number;
  callsMax: number;
  latencyMs: LatencyStats;
  /** Items in the last answer. */
  items: number;
}

export interface ListVariantResult {
  variant: string;
  tenant: BenchTenantId;
  conversations: number;
  cold: RequestSamples;
  warm: RequestSamples;
  /** The naive adapter has no cache: every request is as cold as the first. */
  naive: RequestSamples;
  /** The gateway's warm answer (for the throughput ceiling). */
  warmResponse: TimedResponse;
}

export interface ListBenchTarget {
  variant: string;
  tenant: BenchTenantId;
  conversations: number;
  /** Base URL of the naive adapter serving this tenant. */
  naiveBaseUrl: string;
}

/**
 * GET /conversations?limit=N against the gateway, cold (cache cleared before each request) and warm, and against
 * the naive adapter; upstream calls are counted by the emulator, so both are counted the same way.
 */
export async function benchListConversations(
  gateway: BenchGateway,
  settings: BenchSettings,
  target: ListBenchTarget,
): Promise<ListVariantResult> {
  const path = `/api/v1/chat/conversations?limit=${settings.listLimit}`;
  const headers = { authorization: `Bearer ${gateway.token(target.tenant)}` };
  const sample = async (baseUrl: string, count: number, before: () => void = () => undefined) => {
    const calls: number[] = [];
    const ms: number[] = [];
    let last: TimedResponse | undefined;
    for (let i = 0; i < count; i++) {
      before();
      const callsBefore = gateway.emulator.requests.count();
      last = await timedGet(`${baseUrl}${path}`, headers);
      if (last.status !== 200)
        throw new Error(`GET ${baseUrl}${path} answered ${last.status}: ${last.body.toString().slice(0, 300)}`);
      calls.push(gateway.emulator.requests.count() - callsBefore);
      ms.push(last.ms);
    }
    gateway.emulator.requests.clear();
    const sorted = [...calls].sort((a, b) => a - b);
    const samples: RequestSamples = {
      requests: count,
      callsMedian: sorted[Math.floor(sorted.length / 2)] ?? NaN,
      callsMax: sorted.at(-1) ?? NaN,
      latencyMs: latencyStats(ms),
      items: (JSON.parse(last!.body.toString()) as unknown[]).length,
    };
    return { samples, last: last! };
  };

  const cold = await sample(gateway.baseUrl, settings.coldSamples, () => gateway.app.cache.clear());
  await timedGet(`${gateway.baseUrl}${path}`, headers); // fills the cache
  const warm = await sample(gateway.baseUrl, settings.warmSamples);
  const naive = await sample(target.naiveBaseUrl, settings.coldSamples);
  if (naive.samples.items !== warm.samples.items)
    throw new Error(
      `${target.variant}: the naive adapter listed ${naive.samples.items} conversations, the gateway ${warm.samples.items}`,
    );
  return {
    variant: target.variant,
    tenant: target.tenant,
    conversations: target.conversations,
    cold: cold.samples,
    warm: warm.samples,
    naive: naive.samples,
    warmResponse: warm.last,
  };
}
