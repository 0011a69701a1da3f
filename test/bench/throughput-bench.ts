import type { AutocannonRequest, AutocannonSummary } from "./autocannon-worker.js";
import type { BenchGateway, BenchTenantId } from "./bench-gateway.js";
import type { BenchSettings } from "./bench-settings.js";
import { createCeilingServer, type RecordedResponse } from "./ceiling-server.js";
import { profiled } from "./cpu-profile.js";
import { ratio } from "./latency-stats.js";
import { listenOnLoopback } from "./listen-on-loopback.js";
import { timedGet } from "./timed-get.js";
import { WorkerProcess } from "./worker-process.js";

export interface ThroughputTarget {
  name: string;
  /** Path and query, e.g. `/api/v1/chat/conversations?limit=50`. */
  path: string;
  tenant: BenchTenantId;
  /** Also load this server (e.g. the naive adapter) with the same request. */
  alsoBaseUrl?: { label: string; baseUrl: string };
}

export interface ThroughputRow {
  name: string;
  path: string;
  responseBytes: number;
  switchboard: AutocannonSummary;
  /** Upstream calls the gateway made during its run (warm: none expected). */
  switchboardUpstreamCalls: number;
  ceiling: AutocannonSummary;
  /** switchboard req/s ÷ ceiling req/s. */
  fractionOfCeiling: number;
  other?: { label: string; summary: AutocannonSummary; fractionOfCeiling: number };
}

/**
 * Warm throughput with autocannon (in a child process) against the gateway, then against the ceiling: bare Koa
 * answering the same bytes after the same JWT check, served from this process like the gateway.
 */
export async function benchThroughput(
  gateway: BenchGateway,
  settings: BenchSettings,
  targets: ThroughputTarget[],
): Promise<ThroughputRow[]> {
  const recorded = new Map<string, RecordedResponse>();
  for (const target of targets) {
    const headers = { authorization: `Bearer ${gateway.token(target.tenant)}` };
    await timedGet(`${gateway.baseUrl}${target.path}`, headers); // warm the cache
    const warm = await timedGet(`${gateway.baseUrl}${target.path}`, headers);
    if (warm.status !== 200) throw new Error(`${target.path} answered ${warm.status}`);
    recorded.set(target.path.split("?")[0]!, { body: warm.body, contentType: warm.contentType });
  }
  const ceiling = await listenOnLoopback(createCeilingServer(gateway.app.verifyToken, recorded).callback());
  const worker = new WorkerProcess(new URL("./autocannon-worker.ts", import.meta.url));
  const load = async (baseUrl: string, target: ThroughputTarget) => {
    const request: AutocannonRequest = {
      url: `${baseUrl}${target.path}`,
      headers: { authorization: `Bearer ${gateway.token(target.tenant)}` },
      connections: settings.autocannonConnections,
      durationSec: 1,
    };
    await worker.request<AutocannonSummary>(request); // warm-up (JIT, connections), not reported
    const summary = await worker.request<AutocannonSummary>({ ...request, durationSec: settings.autocannonSeconds });
    if (summary.non2xx > 0 || summary.errors > 0)
      throw new Error(`${request.url}: ${summary.non2xx} non-2xx answers, ${summary.errors} errors`);
    return summary;
  };
  try {
    const rows: ThroughputRow[] = [];
    for (const target of targets) {
      // The gateway's own count: calls of the naive adapter still in flight cannot blur it.
      const callsBefore = gateway.upstream.attempts;
      const switchboard = await profiled(`switchboard ${target.name}`, () => load(gateway.baseUrl, target));
      const switchboardUpstreamCalls = gateway.upstream.attempts - callsBefore;
      const ceilingSummary = await load(ceiling.baseUrl, target);
      const other = target.alsoBaseUrl && (await load(target.alsoBaseUrl.baseUrl, target));
      await gateway.quiesce(500); // the naive adapter's requests still in flight when autocannon stopped
      gateway.emulator.requests.clear();
      rows.push({
        name: target.name,
        path: target.path,
        responseBytes: recorded.get(target.path.split("?")[0]!)!.body.length,
        switchboard,
        switchboardUpstreamCalls,
        ceiling: ceilingSummary,
        fractionOfCeiling: ratio(switchboard.requestsPerSec, ceilingSummary.requestsPerSec),
        ...(other && target.alsoBaseUrl
          ? {
              other: {
                label: target.alsoBaseUrl.label,
                summary: other,
                fractionOfCeiling: ratio(other.requestsPerSec, ceilingSummary.requestsPerSec),
              },
            }
          : {}),
      });
    }
    return rows;
  } finally {
    await worker.close();
    await ceiling.close();
  }
}
