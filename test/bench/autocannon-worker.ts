import autocannon from "autocannon";
import { serveParent } from "./worker-process.js";

/** What the parent asks for: one autocannon run. */
export interface AutocannonRequest {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSec: number;
  /** The status every answer should have (default: any 2xx). */
  expectedStatus?: number;
}

export interface AutocannonSummary {
  requestsPerSec: number;
  totalRequests: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  bytesPerSec: number;
}

// Runs in its own process: autocannon must not share the server's event loop.
serveParent(async (request: AutocannonRequest): Promise<AutocannonSummary> => {
  const result = await autocannon({
    url: request.url,
    headers: request.headers,
    connections: request.connections,
    duration: request.durationSec,
  });
  return {
    requestsPerSec: result.requests.average,
    totalRequests: result.requests.total,
    // Answers other than the expected ones (a 304 run expects every answer to be a 304).
    non2xx: request.expectedStatus
      ? Object.entries(result.statusCodeStats ?? {}).reduce((sum, [status, stats]) => sum + (Number(status) === request.expectedStatus ? 0 : (stats.count ?? 0)), 0)
      : result.non2xx,
    errors: result.errors + result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    bytesPerSec: result.throughput.average,
  };
});
