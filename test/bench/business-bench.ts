/**
 * Section `business` of `npm run bench` (BENCH_ONLY=business): the business API over a tenant of 10,000 messages
 * (100 conversations × 100) — `GET /api/messages?page=1&limit=50` cold (the message index built from Twilio) and warm,
 * and the analytics overview warm, each beside the chat API's `GET /api/v1/chat/conversations?limit=50` warm measured
 * in the same run — and a contact import of `BENCH_BUSINESS_IMPORT_ROWS` new rows at the configured pace
 * (CONTACT_IMPORT_WRITES_PER_SECOND, default 25) against the ideal at Twilio's 30 creates/s, with the creates counted
 * (the most in any one second beside Twilio's 30). Its own gateway and emulator (test/support's
 * startApp); the emulator adds `BENCH_LATENCY_MS` to every call after seeding, as in the other sections.
 */
import pMap from "p-map";
import { seedMessages } from "../support/seed-messages.js";
import { startApp, type TestApp } from "../support/start-app.js";
import type { ReportRow } from "./bench-report.js";
import { latencyStats, ratio, type LatencyStats } from "./latency-stats.js";
import { timedGet } from "./timed-get.js";

/** Twilio's limit on creates per second per Conversations Service (src/contacts/write-pacer.ts). */
const TWILIO_CREATES_PER_SECOND = 30;
const CONVERSATIONS = 100;
const PER_CONVERSATION = 100;

export interface BusinessBenchOptions {
  latencyMs: number;
  warmSamples: number;
  importRows: number;
}

type Warm = LatencyStats & { upstreamCallsPerRequest: number };

export interface BusinessBenchResult {
  messages: number;
  messagesCold: { ms: number; upstreamCalls: number };
  messagesWarm: Warm;
  analyticsWarm: Warm;
  chatListWarm: Warm;
  import: {
    rows: number;
    writesPerSecond: number;
    seconds: number;
    created: number;
    failed: number;
    /** Every upstream call the import made, and its creates (POST …/Users). */
    upstreamCalls: number;
    creates: number;
    /** The most creates Twilio performed in any one-second window, by when the gateway sent them. */
    peakCreatesPerSecond: number;
  };
}

export async function benchBusiness(options: BusinessBenchOptions, log: (message: string) => void): Promise<BusinessBenchResult> {
  const t = await startApp({
    env: { RATE_LIMIT_PER_USER_PER_MINUTE: "0", RATE_LIMIT_PER_IP_PER_MINUTE: "0", CONTACT_IMPORT_MAX_ROWS: String(Math.max(20_000, options.importRows)) },
  });
  try {
    log(`business: seeding ${CONVERSATIONS} conversations × ${PER_CONVERSATION} messages`);
    const api = t.api();
    const sids = await pMap(Array.from({ length: CONVERSATIONS }, (_, i) => i), async (i) => {
      const created = await api.post("/api/v1/chat/conversations", { friendlyName: `C${i}`, participants: [{ phoneNumber: `+1555400${String(i).padStart(4, "0")}` }] });
      return created.body.sid as string;
    }, { concurrency: 4 });
    await pMap(sids, (sid) => seedMessages(t, "alpha", sid, Array.from({ length: PER_CONVERSATION }, (_, j) => `message ${j} of ${sid}`)), { concurrency: 8 });
    await t.emulator.whenIdle();
    t.emulator.setFaultPlan({ latencyMs: options.latencyMs });
    const headers = { authorization: `Bearer ${t.token({ tenants: ["alpha"] })}` };

    log(`business: GET /api/messages cold and warm, analytics warm, chat list warm (${options.warmSamples} samples each)`);
    const coldCalls = t.upstreamCalls.length;
    const cold = await timedGet(`${t.baseUrl}/api/messages?page=1&limit=50`, headers);
    if (cold.status !== 200) throw new Error(`GET /api/messages: ${cold.status}`);
    const messagesCold = { ms: cold.ms, upstreamCalls: t.upstreamCalls.length - coldCalls };
    const measure = (path: string) => measureWarm(t, `${t.baseUrl}${path}`, headers, options.warmSamples);
    await measure("/api/analytics/overview?days=30"); // fills the analytics cache: what follows is warm
    await measure("/api/v1/chat/conversations?limit=50");
    // Interleaved rounds, so a change in the machine's load touches all three alike.
    const rounds = 4;
    const parts = { messages: [] as Warm[], analytics: [] as Warm[], chat: [] as Warm[] };
    for (let round = 0; round < rounds; round++) {
      parts.messages.push(await measure("/api/messages?page=1&limit=50"));
      parts.analytics.push(await measure("/api/analytics/overview?days=30"));
      parts.chat.push(await measure("/api/v1/chat/conversations?limit=50"));
    }
    const result = {
      messages: JSON.parse(cold.body.toString()).data.pagination.total as number,
      messagesCold,
      messagesWarm: merge(parts.messages),
      analyticsWarm: merge(parts.analytics),
      chatListWarm: merge(parts.chat),
    };

    log(`business: import of ${options.importRows} new contacts at ${t.config.contactImportWritesPerSecond} writes/s (ideal at Twilio's 30/s: ${(options.importRows / TWILIO_CREATES_PER_SECOND).toFixed(0)} s)`);
    return { ...result, import: await benchImport(t, options.importRows) };
  } finally {
    await t.close().catch(() => undefined);
  }
}

async function measureWarm(t: TestApp, url: string, headers: Record<string, string>, samples: number): Promise<Warm & { samples: number[] }> {
  const ms: number[] = [];
  const callsBefore = t.upstreamCalls.length;
  for (let i = 0; i < Math.max(1, Math.round(samples / 4)); i++) {
    const answer = await timedGet(url, headers);
    if (answer.status !== 200) throw new Error(`${url}: ${answer.status}`);
    ms.push(answer.ms);
  }
  return { ...latencyStats(ms), upstreamCallsPerRequest: (t.upstreamCalls.length - callsBefore) / ms.length, samples: ms };
}

function merge(parts: Array<Warm & { samples?: number[] }>): Warm {
  const samples = parts.flatMap((part) => part.samples ?? []);
  const calls = parts.reduce((sum, part) => sum + part.upstreamCallsPerRequest * part.count, 0);
  return { ...latencyStats(samples), upstreamCallsPerRequest: calls / samples.length };
}

async function benchImport(t: TestApp, rows: number): Promise<BusinessBenchResult["import"]> {
  // When each create Twilio performed was sent (its answer's arrival at the gateway less its duration): what the pace
  // controls, without the emulator's latency timers bunching the answers.
  const createdAt: number[] = [];
  const calls = t.upstreamCalls;
  const push = calls.push.bind(calls);
  calls.push = (...added) => {
    for (const call of added)
      if (call.method === "POST" && call.status === 201 && /\/Users$/.test(new URL(call.url).pathname)) createdAt.push(performance.now() - call.durationMs);
    return push(...added);
  };
  const csv = ["phoneNumber,name,email,tags", ...Array.from({ length: rows }, (_, i) => `+1556${String(i).padStart(7, "0")},Person ${i},,bench`)].join("\r\n");
  const form = new FormData();
  form.append("file", new Blob([`${csv}\r\n`], { type: "text/csv" }), "contacts.csv");
  const token = t.token({ tenants: ["alpha"] });
  const callsBefore = t.upstreamCalls.length;
  const started = performance.now();
  const answer = await fetch(`${t.baseUrl}/api/contacts/import/csv`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  if (answer.status !== 202) throw new Error(`import: ${answer.status} ${await answer.text()}`);
  const jobId = ((await answer.json()) as { data: { id: string } }).data.id;
  let job: { status: string; created: number; failed: number };
  for (;;) {
    job = (await t.api().get(`/api/contacts/import/${jobId}`)).body.data;
    if (job.status === "completed") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  calls.push = push;
  const made = t.upstreamCalls.slice(callsBefore);
  // Pushed as answers arrived, which is not the order they were sent in.
  createdAt.sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < createdAt.length; i++) {
    while (createdAt[i]! - createdAt[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return {
    rows,
    writesPerSecond: t.config.contactImportWritesPerSecond,
    seconds,
    created: job.created,
    failed: job.failed,
    upstreamCalls: made.length,
    creates: made.filter((call) => call.method === "POST" && /\/Users$/.test(new URL(call.url).pathname)).length,
    peakCreatesPerSecond: peak,
  };
}

const fixed = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const pair = (s: LatencyStats) => `${fixed(s.p50)} / ${fixed(s.p99)} ms`;

/** The section's rows of the printed table. */
export function businessRows(r: BusinessBenchResult | undefined): ReportRow[] {
  if (!r) return [];
  const section = `9. business API over ${r.messages.toLocaleString("en-US")} messages (baseline: the chat API's GET /conversations?limit=50 warm, same run, interleaved)`;
  const chat = `${pair(r.chatListWarm)}`;
  const i = r.import;
  const ideal = i.rows / TWILIO_CREATES_PER_SECOND;
  return [
    { section, figure: "GET /api/messages?page=1&limit=50, cold (index built from Twilio): time (upstream calls)", switchboard: `${fixed(r.messagesCold.ms)} ms (${r.messagesCold.upstreamCalls})`, baseline: "—", ratio: "—", target: "—" },
    { section, figure: "GET /api/messages?page=1&limit=50, warm p50 / p99 (upstream calls per request)", switchboard: `${pair(r.messagesWarm)} (${r.messagesWarm.upstreamCallsPerRequest})`, baseline: chat, ratio: `${ratio(r.messagesWarm.p50, r.chatListWarm.p50)} / ${ratio(r.messagesWarm.p99, r.chatListWarm.p99)}`, target: "0 calls", meets: r.messagesWarm.upstreamCallsPerRequest === 0 },
    { section, figure: "GET /api/analytics/overview?days=30, warm p50 / p99 (upstream calls per request)", switchboard: `${pair(r.analyticsWarm)} (${r.analyticsWarm.upstreamCallsPerRequest})`, baseline: chat, ratio: `${ratio(r.analyticsWarm.p50, r.chatListWarm.p50)} / ${ratio(r.analyticsWarm.p99, r.chatListWarm.p99)}`, target: "0 calls", meets: r.analyticsWarm.upstreamCallsPerRequest === 0 },
    {
      section,
      figure: `contact import, ${i.rows.toLocaleString("en-US")} new rows at ${i.writesPerSecond} writes/s: time (upstream calls, of them creates; rows created / rejected)`,
      switchboard: `${i.seconds.toFixed(1)} s (${i.upstreamCalls}, ${i.creates}; ${i.created} / ${i.failed})`,
      baseline: `ideal at Twilio's 30 creates/s: ${ideal.toFixed(1)} s (${i.rows} creates)`,
      ratio: ratioText(i.seconds, ideal),
      target: `≈ 30 / ${i.writesPerSecond} = ${(TWILIO_CREATES_PER_SECOND / i.writesPerSecond).toFixed(2)}, every row created`,
      meets: i.created === i.rows && i.creates === i.rows,
    },
    { section, figure: "… the most creates in any one second (by when the gateway sent them)", switchboard: String(i.peakCreatesPerSecond), baseline: "Twilio's limit 30", ratio: ratioText(i.peakCreatesPerSecond, TWILIO_CREATES_PER_SECOND), target: "≤ 30", meets: i.peakCreatesPerSecond <= TWILIO_CREATES_PER_SECOND },
  ];
}

const ratioText = (a: number, b: number) => (b === 0 ? "—" : (a / b).toFixed(3));

