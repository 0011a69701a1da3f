import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics (prom-client), one registry per app so several apps in one process (tests) stay apart.
 * Labels carry routes, methods, statuses and tenant ids only — never user data or secrets.
 */
export function createMetrics() {
  const registry = new Registry();
  const requestSeconds = new Histogram({
    name: "switchboard_http_request_duration_seconds",
    help: "HTTP request latency by route.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const upstreamCalls = new Counter({
    name: "switchboard_upstream_calls_total",
    help: "Calls to Twilio by tenant, method and status (status 0: no answer).",
    labelNames: ["tenant", "method", "status"] as const,
    registers: [registry],
  });
  const upstreamErrors = new Counter({
    name: "switchboard_upstream_errors_total",
    help: "Twilio calls that failed (429, 5xx or no answer) by tenant.",
    labelNames: ["tenant", "kind"] as const,
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: "switchboard_upstream_call_duration_seconds",
    help: "Twilio call latency.",
    labelNames: ["tenant"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const webhookLagSeconds = new Histogram({
    name: "switchboard_webhook_lag_seconds",
    help: "Time from the event in Twilio (its DateUpdated/DateCreated) to the webhook reaching the gateway.",
    labelNames: ["event"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  const webhooks = new Counter({
    name: "switchboard_webhooks_total",
    help: "Webhooks received by source and outcome.",
    labelNames: ["source", "outcome"] as const,
    registers: [registry],
  });
  return { registry, requestSeconds, upstreamCalls, upstreamErrors, upstreamSeconds, webhookLagSeconds, webhooks };
}

export type Metrics = ReturnType<typeof createMetrics>;

type RequestSecondsChild = ReturnType<Metrics["requestSeconds"]["labels"]>;

/**
 * Records one request's duration. prom-client's labelled child is kept per method, route and status (their
 * combinations are bounded: the contract's routes, Node's methods, HTTP statuses), so a request costs no label
 * object, no bound `observe` closure and no label validation of its own.
 */
export function requestRecorder(metrics: Metrics): (method: string, route: string, status: number, seconds: number) => void {
  const children = new Map<string, RequestSecondsChild>();
  return (method, route, status, seconds) => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) children.set(key, (child = metrics.requestSeconds.labels({ method, route, status: String(status) })));
    child.observe(seconds);
  };
}

/** Gauges read at scrape time from the things they describe. */
/** A gauge read when /metrics is scraped. */
function liveGauge(metrics: Metrics, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [metrics.registry],
    collect() {
      this.set(read());
    },
  });
}

export function addLiveGauges(
  metrics: Metrics,
  sources: {
    cache: () => { entries: number; bytes: number; hits: number; misses: number };
    sockets?: () => number;
    circuits?: () => Record<string, string>;
    /** Webhook keys remembered by the in-process dedupe (absent when Redis holds them). */
    dedupeKeys?: () => number;
    /** Messages held by the search indexes, all tenants. */
    searchIndexMessages?: () => number;
  },
) {
  liveGauge(metrics, "switchboard_cache_hit_ratio", "Cache hits / lookups since start.", () => {
    const { hits, misses } = sources.cache();
    return hits + misses === 0 ? 0 : hits / (hits + misses);
  });
  liveGauge(metrics, "switchboard_cache_bytes", "Bytes held by the cache (its byte bound applies to this).", () => sources.cache().bytes);
  liveGauge(metrics, "switchboard_cache_entries", "Entries held by the cache.", () => sources.cache().entries);
  if (sources.sockets) liveGauge(metrics, "switchboard_sockets_connected", "Socket.IO clients connected to /chat.", sources.sockets);
  if (sources.dedupeKeys)
    liveGauge(metrics, "switchboard_webhook_dedupe_keys", "Webhook keys remembered in this process (bounded by WEBHOOK_DEDUPE_MAX_KEYS).", sources.dedupeKeys);
  if (sources.searchIndexMessages)
    liveGauge(metrics, "switchboard_search_index_messages", "Messages held by the search indexes (bounded per tenant by SEARCH_INDEX_MAX_MESSAGES).", sources.searchIndexMessages);
  if (sources.circuits) {
    const circuits = sources.circuits;
    new Gauge({
      name: "switchboard_upstream_circuit_open",
      help: "1 while a tenant's circuit breaker is open (Twilio calls refused fast), 0.5 half-open, 0 closed.",
      labelNames: ["tenant"] as const,
      registers: [metrics.registry],
      collect() {
        for (const [tenant, state] of Object.entries(circuits())) this.set({ tenant }, state === "open" ? 1 : state === "half-open" ? 0.5 : 0);
      },
    });
  }
}

/** Counts one upstream call (an attempt: retries count again). */
export function recordUpstreamCall(
  metrics: Metrics,
  tenant: string,
  event: { method: string; status?: number; durationMs: number; error?: string },
): void {
  metrics.upstreamCalls.inc({ tenant, method: event.method, status: String(event.status ?? 0) });
  metrics.upstreamSeconds.observe({ tenant }, event.durationMs / 1000);
  const kind = event.status === undefined ? "no_answer" : event.status === 429 ? "rate_limited" : event.status >= 500 ? "server_error" : undefined;
  if (kind) metrics.upstreamErrors.inc({ tenant, kind });
}
