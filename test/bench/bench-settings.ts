/** Sizes and durations of one benchmark run, read from BENCH_* variables once (BENCH_QUICK=1 shrinks them). */
export const BENCH_SECTIONS = ["list", "throughput", "sockets", "memory", "page", "media", "large", "business", "scale-out"] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchSettings {
  quick: boolean;
  /** Sections to run (BENCH_ONLY=list,throughput,sockets,memory,page,media,large; default all). */
  sections: ReadonlySet<BenchSection>;
  /** Latency the emulator adds to every Twilio REST call. */
  latencyMs: number;
  /** Conversations created through the gateway's API (they carry a summary). */
  conversations: number;
  /** Conversations created directly in Twilio (no summary), in a second tenant. */
  directConversations: number;
  listLimit: number;
  /** Requests per cold latency sample set (each preceded by `app.cache.clear()`). */
  coldSamples: number;
  warmSamples: number;
  autocannonConnections: number;
  autocannonSeconds: number;
  /** Rounds of the throughput figure: gateway and ceiling take turns, `autocannonSeconds` each. */
  throughputRounds: number;
  /** Socket counts of the webhook → socket runs (each spread over `socketConversations`). */
  socketCounts: number[];
  socketConversations: number;
  webhookRate: number;
  webhookSeconds: number;
  /** Also run the webhook → socket bench with Twilio's onConversationUpdated echo webhooks reaching the gateway. */
  echoRun: boolean;
  /** Tenant feeds also measured beside the default `each` (BENCH_FEEDS=batched,none; empty: none), gateway in its own process. */
  extraFeeds: Array<"batched" | "none">;
  /** The client the webhook → socket load generator holds its sockets with (BENCH_SOCKET_CLIENT, default lean). */
  socketClient: "lean" | "socket.io";
  cacheEntries: number;
  /** Conversations of the large tenant (section `large`). */
  largeConversations: number;
  /** Rows of the business section's contact import (at the configured pace: 10,000 rows take 400 s at 25/s). */
  businessImportRows: number;
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
};

const feedsOf = (raw: string): Array<"batched" | "none"> => {
  const feeds = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = feeds.filter((feed) => feed !== "batched" && feed !== "none");
  if (unknown.length > 0) throw new Error(`BENCH_FEEDS: unknown feed(s) ${unknown.join(", ")} (known: batched, none)`);
  return feeds as Array<"batched" | "none">;
};

const socketClientOf = (raw: string): "lean" | "socket.io" => {
  if (raw !== "lean" && raw !== "socket.io") throw new Error(`BENCH_SOCKET_CLIENT must be "lean" or "socket.io", got "${raw}"`);
  return raw;
};

/** The BENCH_* variables with their defaults (full run) and quick-run defaults. */
export function loadBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  const sockets = (env.BENCH_SOCKETS ?? (quick ? "200,100" : "1000,100")).split(",").map((s) => Number(s.trim()));
  if (sockets.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`BENCH_SOCKETS must list positive integers`);
  const only = (env.BENCH_ONLY ?? BENCH_SECTIONS.join(",")).split(",").map((s) => s.trim());
  const unknown = only.filter((name) => !(BENCH_SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(", ")} (known: ${BENCH_SECTIONS.join(", ")})`);
  return {
    quick,
    sections: new Set(only as BenchSection[]),
    latencyMs: int(env, "BENCH_LATENCY_MS", 80),
    conversations: int(env, "BENCH_CONVERSATIONS", 200),
    directConversations: int(env, "BENCH_DIRECT_CONVERSATIONS", 50),
    listLimit: int(env, "BENCH_LIST_LIMIT", 50),
    coldSamples: int(env, "BENCH_COLD_SAMPLES", quick ? 5 : 20),
    warmSamples: int(env, "BENCH_WARM_SAMPLES", quick ? 100 : 500),
    autocannonConnections: int(env, "BENCH_CONNECTIONS", 10),
    autocannonSeconds: int(env, "BENCH_DURATION_S", quick ? 2 : 3),
    throughputRounds: Math.max(1, int(env, "BENCH_ROUNDS", quick ? 1 : 3)),
    socketCounts: sockets,
    socketConversations: int(env, "BENCH_SOCKET_CONVERSATIONS", 100),
    webhookRate: int(env, "BENCH_WEBHOOK_RATE", 1500),
    webhookSeconds: int(env, "BENCH_WEBHOOK_S", quick ? 2 : 5),
    echoRun: (env.BENCH_ECHO ?? (quick ? "0" : "1")) !== "0",
    extraFeeds: feedsOf(env.BENCH_FEEDS ?? "batched,none"),
    socketClient: socketClientOf(env.BENCH_SOCKET_CLIENT ?? "lean"),
    cacheEntries: int(env, "BENCH_CACHE_ENTRIES", quick ? 20_000 : 100_000),
    largeConversations: int(env, "BENCH_LARGE_CONVERSATIONS", 50_000),
    businessImportRows: int(env, "BENCH_BUSINESS_IMPORT_ROWS", quick ? 1_000 : 10_000),
  };
}

/** The BENCH_* (and gateway tuning) variables that were set, as they would be typed before `npm run bench`. */
export function benchEnvPrefix(env: NodeJS.ProcessEnv = process.env, tunable: RegExp = /^$/): string {
  return Object.keys(env)
    .filter((name) => name.startsWith("BENCH_") || tunable.test(name))
    .sort()
    .map((name) => `${name}=${env[name]}`)
    .join(" ");
}
