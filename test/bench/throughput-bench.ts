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
  /**
   * `br` / `gzip`: the request accepts that coding (the ceiling answers the gateway's compressed bytes); `304`: it
   * sends the warm answer's ETag in If-None-Match (the ceiling answers a bare 304 with that ETag).
   */
  variant?: "br" | "gzip" | "304";
  /** Also load this server (e.g. the naive adapter) with the same request. */
  alsoBaseUrl?: { label: string; baseUrl: string };
}

/** One server's load over every round: autocannon's figures and the server process's CPU time. */
export interface LoadSummary extends AutocannonSummary {
  /** Server-process CPU time (user + system) per answered request, µs. */
  cpuMicrosPerRequest: number;
  /** Each round's req/s, in order. */
  roundRequestsPerSec: number[];
}

export interface ThroughputRow {
  name: string;
  path: string;
  responseBytes: number;
  switchboard: LoadSummary;
  /** Upstream calls the gateway made during its runs (warm: none expected). */
  switchboardUpstreamCalls: number;
  ceiling: LoadSummary;
  /** switchboard req/s ÷ ceiling req/s, over all rounds. */
  fractionOfCeiling: number;
  /** ceiling CPU per request ÷ switchboard CPU per request: the same fraction, measured in CPU time. */
  cpuFractionOfCeiling: number;
  other?: { label: string; summary: LoadSummary; fractionOfCeiling: number };
}

/** Adds up rounds of one server: req/s over their total duration, p99 the worst round's. */
function combineRounds(rounds: Array<{ summary: AutocannonSummary; cpuMicros: number }>, durationSec: number): LoadSummary {
  const total = <K extends keyof AutocannonSummary>(key: K) => rounds.reduce((sum, round) => sum + round.summary[key], 0);
  const requests = total("totalRequests");
  const seconds = durationSec * rounds.length;
  return {
    requestsPerSec: Math.round(requests / seconds),
    totalRequests: requests,
    non2xx: total("non2xx"),
    errors: total("errors"),
    latencyP50Ms: [...rounds.map((r) => r.summary.latencyP50Ms)].sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!,
    latencyP99Ms: Math.max(...rounds.map((r) => r.summary.latencyP99Ms)),
    bytesPerSec: Math.round(total("bytesPerSec") / rounds.length),
    cpuMicrosPerRequest: Math.round(rounds.reduce((sum, round) => sum + round.cpuMicros, 0) / Math.max(1, requests)),
    roundRequestsPerSec: rounds.map((r) => Math.round(r.summary.requestsPerSec)),
  };
}

/**
 * Warm throughput with autocannon (in a child process) against the gateway and against the ceiling: bare Koa
 * answering the same bytes after the same JWT check, served from this process like the gateway. The two take turns
 * for `settings.throughputRounds` rounds (the order flips every round), so a machine that gets busier or quieter
 * during the run weighs on both alike; the server process's CPU time per request is recorded beside req/s.
 */
export async function benchThroughput(
  gateway: BenchGateway,
  settings: BenchSettings,
  targets: ThroughputTarget[],
): Promise<ThroughputRow[]> {
  // Per target: the request's extra headers, and what the ceiling answers (the gateway's own warm answer).
  const recorded = new Map<ThroughputTarget, { headers: Record<string, string>; response: RecordedResponse }>();
  for (const target of targets) {
    const headers: Record<string, string> = { authorization: `Bearer ${gateway.token(target.tenant)}` };
    if (target.variant === "br" || target.variant === "gzip") headers["accept-encoding"] = target.variant;
    await timedGet(`${gateway.baseUrl}${target.path}`, headers); // warm the cache (and the coding)
    const warm = await timedGet(`${gateway.baseUrl}${target.path}`, headers);
    if (warm.status !== 200) throw new Error(`${target.path} answered ${warm.status}`);
    const etag = String(warm.headers.etag ?? "");
    if (target.variant === "304") {
      if (!etag) throw new Error(`${target.path} sent no ETag`);
      headers["if-none-match"] = etag;
      const again = await timedGet(`${gateway.baseUrl}${target.path}`, headers);
      if (again.status !== 304) throw new Error(`${target.path} with If-None-Match answered ${again.status}`);
      recorded.set(target, { headers, response: { body: again.body, contentType: "", status: 304, headers: { ETag: etag } } });
      continue;
    }
    const encoding = warm.headers["content-encoding"];
    if (target.variant && encoding !== target.variant) throw new Error(`${target.path} came as ${String(encoding)}, not ${target.variant}`);
    recorded.set(target, {
      headers,
      response: { body: warm.body, contentType: warm.contentType, headers: { ...(encoding ? { "Content-Encoding": String(encoding) } : {}), ...(etag ? { ETag: etag } : {}) } },
    });
  }
  const worker = new WorkerProcess(new URL("./autocannon-worker.ts", import.meta.url));
  const request = (baseUrl: string, target: ThroughputTarget, durationSec: number): AutocannonRequest => ({
    url: `${baseUrl}${target.path}`,
    headers: recorded.get(target)!.headers,
    connections: settings.autocannonConnections,
    durationSec,
    ...(target.variant === "304" ? { expectedStatus: 304 } : {}),
  });
  let ceiling: Awaited<ReturnType<typeof listenOnLoopback>> | undefined;
  const warmUp = (baseUrl: string, target: ThroughputTarget) => worker.request<AutocannonSummary>(request(baseUrl, target, 1)); // JIT, connections
  const round = async (baseUrl: string, target: ThroughputTarget) => {
    const cpuBefore = process.cpuUsage();
    const summary = await worker.request<AutocannonSummary>(request(baseUrl, target, settings.autocannonSeconds));
    const cpu = process.cpuUsage(cpuBefore);
    if (summary.non2xx > 0 || summary.errors > 0)
      throw new Error(`${baseUrl}${target.path}: ${summary.non2xx} non-2xx answers, ${summary.errors} errors`);
    return { summary, cpuMicros: cpu.user + cpu.system };
  };
  const load = async (baseUrl: string, target: ThroughputTarget) => {
    await warmUp(baseUrl, target);
    return combineRounds([await round(baseUrl, target)], settings.autocannonSeconds);
  };
  try {
    const rows: ThroughputRow[] = [];
    for (const target of targets) {
      // A ceiling per target: it answers this target's recorded bytes (or 304) whatever the request's path.
      await ceiling?.close();
      ceiling = await listenOnLoopback(createCeilingServer(gateway.app.verifyToken, new Map([[target.path.split("?")[0]!, recorded.get(target)!.response]])).callback());
      // The gateway's own count: calls of the naive adapter still in flight cannot blur it.
      const callsBefore = gateway.upstream.attempts;
      await warmUp(gateway.baseUrl, target);
      await warmUp(ceiling.baseUrl, target);
      const switchboardRounds: Array<Awaited<ReturnType<typeof round>>> = [];
      const ceilingRounds: Array<Awaited<ReturnType<typeof round>>> = [];
      for (let index = 0; index < settings.throughputRounds; index++) {
        const measureSwitchboard = async () =>
          switchboardRounds.push(await profiled(`switchboard ${target.name} round ${index + 1}`, () => round(gateway.baseUrl, target)));
        const measureCeiling = async () => ceilingRounds.push(await round(ceiling!.baseUrl, target));
        if (index % 2 === 0) await measureSwitchboard().then(measureCeiling);
        else await measureCeiling().then(measureSwitchboard);
      }
      const switchboardUpstreamCalls = gateway.upstream.attempts - callsBefore;
      const switchboard = combineRounds(switchboardRounds, settings.autocannonSeconds);
      const ceilingSummary = combineRounds(ceilingRounds, settings.autocannonSeconds);
      const other = target.alsoBaseUrl && (await load(target.alsoBaseUrl.baseUrl, target));
      await gateway.quiesce(500); // the naive adapter's requests still in flight when autocannon stopped
      gateway.emulator.requests.clear();
      rows.push({
        name: target.name,
        path: target.path,
        responseBytes: recorded.get(target)!.response.body.length,
        switchboard,
        switchboardUpstreamCalls,
        ceiling: ceilingSummary,
        fractionOfCeiling: ratio(switchboard.requestsPerSec, ceilingSummary.requestsPerSec),
        cpuFractionOfCeiling: ratio(ceilingSummary.cpuMicrosPerRequest, switchboard.cpuMicrosPerRequest),
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
    await ceiling?.close();
  }
}
