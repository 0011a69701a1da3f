import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import { startBenchGateway, TUNABLE } from "./bench-gateway.js";
import { benchEnvPrefix, loadBenchSettings } from "./bench-settings.js";
import { latencyStats, wallClockMs } from "./latency-stats.js";
import { seedBenchTenants } from "./seed-bench-tenants.js";
import { sampleMemory, summarise, type MemorySample } from "./soak-memory.js";
import {
  SOAK_KINDS,
  type DriveReply,
  type SoakKind,
  type SoakRecord,
  type SoakWorkerRequest,
  type SocketReport,
} from "./soak-load-worker.js";
import { WorkerProcess } from "./worker-process.js";
import { sourceState } from "./source-state.js";
import { writeResults } from "./write-results.js";

/**
 * `npm run bench:soak`: a bounded soak of the real gateway (in-process, as bench-gateway.ts boots it) under mixed
 * traffic with injected Twilio 429 and 503 bursts. Every answer is classified expected or unexpected; memory is
 * sampled after a forced GC. Exits 1 on any unexpected answer. See test/bench/README.md.
 */

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

export interface SoakSettings {
  seconds: number;
  ratePerSec: number;
  inboundPerSec: number;
  sockets: number;
  socketConversations: number;
  faultEverySec: number;
  burst: number;
  outageMs: number;
  sampleEverySec: number;
  maxInFlight: number;
  latencyMs: number;
  mix: Record<SoakKind, number>;
}

function loadSoakSettings(latencyMs: number): SoakSettings {
  return {
    seconds: int("BENCH_SOAK_SECONDS", 300),
    ratePerSec: int("BENCH_SOAK_RATE", 50),
    inboundPerSec: int("BENCH_SOAK_INBOUND_RATE", 3),
    sockets: int("BENCH_SOAK_SOCKETS", 20),
    socketConversations: int("BENCH_SOAK_SOCKET_CONVERSATIONS", 10),
    faultEverySec: int("BENCH_SOAK_FAULT_EVERY_S", 20),
    burst: int("BENCH_SOAK_BURST", 30),
    outageMs: int("BENCH_SOAK_OUTAGE_MS", 8000),
    sampleEverySec: int("BENCH_SOAK_SAMPLE_S", 10),
    maxInFlight: int("BENCH_SOAK_MAX_IN_FLIGHT", 256),
    latencyMs,
    mix: { list: 30, get: 20, messages: 20, send: 15, patch: 13, search: 2 },
  };
}

/** One injected fault: its kind, when it began, the last injected failure the emulator served, how many. */
interface FaultBurst {
  kind: "429 burst" | "503 burst" | "503 outage";
  /** Seconds after the traffic started. */
  atSec: number;
  startMs: number;
  /** When the outage's rules were lifted (outage only). */
  liftedMs?: number;
  lastFaultMs?: number;
  served: number;
}

type Verdict = "ok" | "outage" | "unexpected";

interface Tally {
  total: number;
  ok: number;
  outage: number;
  unexpected: number;
  statuses: Record<string, number>;
  reasons: Record<string, number>;
}
const tally = (): Tally => ({ total: 0, ok: 0, outage: 0, unexpected: 0, statuses: {}, reasons: {} });
const count = (t: Tally, status: string, verdict: Verdict, reason?: string) => {
  t.total++;
  t[verdict]++;
  t.statuses[status] = (t.statuses[status] ?? 0) + 1;
  if (reason) t.reasons[reason] = (t.reasons[reason] ?? 0) + 1;
};

async function main(): Promise<boolean> {
  // Gateway rate limits off (0): any 429 a client sees is then a finding. Set them to try the limiter in the path.
  process.env.RATE_LIMIT_PER_USER_PER_MINUTE ??= "0";
  process.env.RATE_LIMIT_PER_IP_PER_MINUTE ??= "0";
  process.env.RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE ??= "0";
  // The bounded structures at small bounds, full within the first minutes: what still grows after that is a leak,
  // not a structure filling towards a bound it would reach in hours (defaults: 200,000 each).
  process.env.SEARCH_INDEX_MAX_MESSAGES ??= "2000";
  process.env.WEBHOOK_DEDUPE_MAX_KEYS ??= "5000";
  const bench = loadBenchSettings();
  const settings = loadSoakSettings(bench.latencyMs);
  const startedAt = new Date();
  const command = `${benchEnvPrefix(process.env, TUNABLE)} npm run bench:soak`.trim();
  const loadAtStart = loadavg()[0]!;
  const log = (message: string) =>
    process.stderr.write(`[soak ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3)}s] ${message}\n`);

  log(`booting emulator + gateway; seeding ${bench.conversations} + ${bench.directConversations} conversations`);
  const gateway = await startBenchGateway();
  const seeded = await seedBenchTenants(gateway, bench);
  const alpha = gateway.tenants.alpha;
  const graceMs = gateway.config.upstream.breakerResetMs + 2000;
  const emulatorStore = (gateway.emulator as unknown as { store: { messages: Map<string, unknown> } }).store;
  // The gateway's own gauges, as /metrics shows them.
  const gaugeValue = async (name: string) => (await gateway.app.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
  const memoryExtra = async () => {
    const cache = gateway.app.cache.stats();
    return {
      emulatorMessages: emulatorStore.messages.size,
      cacheEntries: cache.entries,
      cacheBytes: cache.bytes,
      dedupeKeys: await gaugeValue("switchboard_webhook_dedupe_keys"),
      searchIndexMessages: await gaugeValue("switchboard_search_index_messages"),
    };
  };

  const worker = new WorkerProcess(new URL("./soak-load-worker.ts", import.meta.url));
  const socketConversations = seeded.alpha.slice(0, Math.max(1, settings.socketConversations));
  const subscribersOf = new Map<string, number>();
  for (let i = 0; i < settings.sockets; i++) {
    const sid = socketConversations[i % socketConversations.length]!.sid;
    subscribersOf.set(sid, (subscribersOf.get(sid) ?? 0) + 1);
  }
  const token = gateway.token("alpha");
  await worker.request({
    type: "connect",
    baseUrl: gateway.baseUrl,
    token,
    sockets: settings.sockets,
    conversations: socketConversations.map((c) => c.sid),
  } satisfies SoakWorkerRequest);
  gateway.emulator.setFaultPlan({ latencyMs: settings.latencyMs });
  gateway.emulator.requests.clear();
  gateway.emulator.webhooks.clear();

  // --- fault schedule: every faultEverySec, in turn a 429 burst (Retry-After 1), a 503 burst, a timed 503 outage.
  const bursts: FaultBurst[] = [];
  let otherEmulator5xx = 0;
  const stopExchanges = gateway.emulator.onExchange((exchange) => {
    if (exchange.status === 429 || exchange.status === 503) {
      const current = bursts[bursts.length - 1];
      if (current) {
        current.served++;
        current.lastFaultMs = wallClockMs();
      }
    } else if (exchange.status >= 500) otherEmulator5xx++;
  });
  const timers: NodeJS.Timeout[] = [];
  const faultAt = (i: number) => {
    const kind = (["429 burst", "503 burst", "503 outage"] as const)[i % 3]!;
    const burst: FaultBurst = { kind, atSec: (i + 1) * settings.faultEverySec, startMs: wallClockMs(), served: 0 };
    bursts.push(burst);
    if (kind === "429 burst")
      gateway.emulator.setFaultPlan({
        latencyMs: settings.latencyMs,
        failures: [{ status: 429, count: settings.burst, retryAfterSeconds: 1 }],
      });
    else if (kind === "503 burst")
      gateway.emulator.setFaultPlan({ latencyMs: settings.latencyMs, failures: [{ status: 503, count: settings.burst }] });
    else {
      gateway.emulator.setFaultPlan({
        latencyMs: settings.latencyMs,
        failures: [{ status: 503, count: 1_000_000, retryAfterSeconds: 1 }],
      });
      timers.push(
        setTimeout(() => {
          gateway.emulator.setFaultPlan({ latencyMs: settings.latencyMs });
          burst.liftedMs = wallClockMs();
        }, settings.outageMs),
      );
    }
    log(`injected ${kind}${kind === "503 outage" ? ` (${settings.outageMs} ms)` : ` of ${settings.burst}`}`);
  };
  // No fault in the last 15 s: the run ends with the gateway recovered.
  for (let i = 0; (i + 1) * settings.faultEverySec <= settings.seconds - 15; i++)
    timers.push(setTimeout(() => faultAt(i), (i + 1) * settings.faultEverySec * 1000));
  /** Was `[fromMs, toMs]` inside (or overlapping) an injected fault, widened by the breaker's reset + 2 s? */
  const inOutage = (fromMs: number, toMs: number) =>
    bursts.some((b) => {
      const end = Math.max(b.lastFaultMs ?? b.startMs, b.liftedMs ?? b.startMs) + graceMs;
      return fromMs <= end && toMs >= b.startMs;
    });

  // --- inbound SMS through the emulator (→ onMessageAdded webhooks → the subscribed sockets).
  const inbound = new Map<string, { conversationSid: string; webhookStatus?: number | null }>();
  let inboundErrors = 0;
  let inboundSeq = 0;
  if (settings.inboundPerSec > 0) {
    const inboundTimer = setInterval(() => {
      const conversation = socketConversations[inboundSeq % socketConversations.length]!;
      const seq = inboundSeq++;
      gateway.emulator
        .simulateInboundMessage({
          accountSid: alpha.accountSid,
          from: conversation.customerPhone,
          to: alpha.phoneNumber!,
          body: `Soak inbound ${seq}: is there any update on my order?`,
        })
        .then(
          (result) => {
            if (result.conversationSid !== conversation.sid) inboundErrors++;
            inbound.set(result.messageSid, { conversationSid: result.conversationSid });
          },
          () => void inboundErrors++,
        );
    }, 1000 / settings.inboundPerSec);
    timers.push(inboundTimer);
  }

  // --- webhooks the emulator delivered to the gateway, classified as their answers come back.
  const webhooks: Record<string, Tally> = {};
  const pollWebhooks = () => {
    const now = wallClockMs();
    const entries = gateway.emulator.webhooks.entries.splice(0);
    for (const delivery of entries) {
      const t = (webhooks[delivery.eventType] ??= tally());
      const status = delivery.status;
      const label = status === null ? `no answer (${delivery.error ?? "?"})` : String(status);
      if (status !== null && status >= 200 && status < 300) count(t, label, "ok");
      // The poll runs every 500 ms: the delivery ended at most that long before `now`.
      else if (status === 503 && inOutage(now - 1000, now)) count(t, label, "outage");
      else count(t, label, "unexpected", `${delivery.eventType} → ${label}`);
      if (delivery.eventType === "onMessageAdded") {
        const entry = inbound.get(delivery.params.MessageSid ?? "");
        if (entry) entry.webhookStatus = status;
      }
    }
  };
  timers.push(setInterval(pollWebhooks, 500));

  // --- memory, every sampleEverySec after a forced GC; bench-only logs in this process are emptied first.
  const samples: MemorySample[] = [];
  let driveStart = performance.now();
  const takeSample = async () => {
    gateway.emulator.requests.clear();
    gateway.upstream.durationsMs.length = 0;
    const tSec = (performance.now() - driveStart) / 1000;
    samples.push(sampleMemory(tSec, await memoryExtra()));
  };

  log(
    `soak: ${settings.seconds} s at ${settings.ratePerSec} req/s + ${settings.inboundPerSec} inbound SMS/s, ` +
      `${settings.sockets} sockets, a fault every ${settings.faultEverySec} s, latency ${settings.latencyMs} ms`,
  );
  const upstreamBefore = gateway.upstream.attempts;
  const cpuBefore = process.cpuUsage();
  driveStart = performance.now();
  await takeSample();
  timers.push(setInterval(() => void takeSample(), settings.sampleEverySec * 1000));
  // BENCH_SOAK_HEAP_SNAPSHOT_DIR: a heap snapshot a third into the traffic and one at its end, to diff what grew
  // (writing one pauses the process for a few seconds: answers queue meanwhile).
  const snapshotDir = process.env.BENCH_SOAK_HEAP_SNAPSHOT_DIR;
  const snapshot = (name: string) => {
    if (!snapshotDir) return;
    mkdirSync(snapshotDir, { recursive: true });
    globalThis.gc?.();
    log(`heap snapshot: ${writeHeapSnapshot(join(snapshotDir, `${name}.heapsnapshot`))}`);
  };
  if (snapshotDir) timers.push(setTimeout(() => snapshot("third"), (settings.seconds * 1000) / 3));
  // The last sample (and snapshot) as the traffic ends: before the load worker's reply brings its per-request
  // records (30,000 of them in 10 minutes) into this heap, where they would pass for the gateway's growth.
  let endSampled: Promise<void> | undefined;
  const sampleEnd = () => (endSampled ??= takeSample().then(() => snapshot("end")));
  timers.push(setTimeout(() => void sampleEnd(), settings.seconds * 1000));
  let drive: DriveReply;
  try {
    drive = await worker.request<DriveReply>({
      type: "drive",
      baseUrl: gateway.baseUrl,
      token,
      durationMs: settings.seconds * 1000,
      ratePerSec: settings.ratePerSec,
      mix: settings.mix,
      conversations: seeded.alpha.map((c) => c.sid),
      maxInFlight: settings.maxInFlight,
    } satisfies SoakWorkerRequest);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
  const driveSeconds = (performance.now() - driveStart) / 1000;
  await sampleEnd();
  const cpu = process.cpuUsage(cpuBefore);
  gateway.emulator.setFaultPlan({ latencyMs: 0 });
  log("traffic done; waiting for webhooks and socket events to settle");
  await Promise.race([gateway.quiesce(500), new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  pollWebhooks();
  stopExchanges();
  const sockets = await worker.request<SocketReport>({ type: "report" } satisfies SoakWorkerRequest);
  await worker.request({ type: "disconnect" } satisfies SoakWorkerRequest);
  await worker.close();
  const cacheAtEnd = gateway.app.cache.stats();
  await gateway.close();
  // The emulator's store shares this heap and grows with every message (Twilio's growth, not the gateway's): weigh
  // it by emptying it once the gateway is closed, and show heapUsed without it beside the raw series.
  globalThis.gc?.();
  const heapWithStore = process.memoryUsage().heapUsed;
  const storeMessages = emulatorStore.messages.size;
  emulatorStore.messages.clear();
  (emulatorStore as unknown as { receipts: Map<string, unknown> }).receipts.clear();
  globalThis.gc?.();
  const bytesPerEmulatorMessage = Math.max(0, (heapWithStore - process.memoryUsage().heapUsed) / storeMessages);
  for (const sample of samples)
    sample.heapUsedLessEmulatorMB =
      Math.round((sample.heapUsedMB - (sample.emulatorMessages * bytesPerEmulatorMessage) / 2 ** 20) * 100) / 100;

  // --- classify the REST answers.
  const requests = Object.fromEntries(SOAK_KINDS.map((kind) => [kind, tally()])) as Record<SoakKind, Tally>;
  const latency = Object.fromEntries(SOAK_KINDS.map((kind) => [kind, [] as number[]])) as Record<SoakKind, number[]>;
  const unexpectedSamples: SoakRecord[] = [];
  for (const record of drive.records) {
    const t = requests[record.kind];
    const expected = record.kind === "send" ? 201 : 200;
    const label = record.status === 0 ? `no answer (${record.error})` : String(record.status);
    if (record.status === expected) {
      count(t, label, "ok");
      latency[record.kind].push(record.endMs - record.startMs);
    } else if (record.status === 503 && record.retryAfter !== null && inOutage(record.startMs, record.endMs))
      count(t, label, "outage");
    else {
      const why =
        record.status === 503
          ? record.retryAfter === null
            ? "503 without Retry-After"
            : "503 outside an injected fault"
          : label;
      count(t, label, "unexpected", why);
      if (unexpectedSamples.length < 20) unexpectedSamples.push(record);
    }
  }

  // --- socket deliveries of the inbound SMS whose webhook the gateway accepted.
  const receivedBySid = new Map<string, number>();
  for (const { sid } of sockets.received) receivedBySid.set(sid, (receivedBySid.get(sid) ?? 0) + 1);
  let expectedDeliveries = 0;
  let deliveries = 0;
  let missingDeliveries = 0;
  let duplicateDeliveries = 0;
  let inboundWebhookRefused = 0;
  let inboundWebhookUnseen = 0;
  for (const [sid, entry] of inbound) {
    if (entry.webhookStatus === undefined) {
      inboundWebhookUnseen++;
      continue;
    }
    if (entry.webhookStatus === null || entry.webhookStatus >= 300) {
      inboundWebhookRefused++; // classified with the webhooks; Twilio would retry it
      continue;
    }
    const want = subscribersOf.get(entry.conversationSid) ?? 0;
    const got = receivedBySid.get(sid) ?? 0;
    expectedDeliveries += want;
    deliveries += Math.min(got, want);
    missingDeliveries += Math.max(0, want - got);
    duplicateDeliveries += Math.max(0, got - want);
  }

  const restUnexpected = Object.values(requests).reduce((s, t) => s + t.unexpected, 0);
  const webhookUnexpected = Object.values(webhooks).reduce((s, t) => s + t.unexpected, 0);
  const socketUnexpected =
    sockets.disconnects.length + sockets.errors.length + missingDeliveries + (settings.sockets - sockets.connected);
  const unexpected = restUnexpected + webhookUnexpected + socketUnexpected + inboundErrors + inboundWebhookUnseen;

  const rss = summarise(samples, "rssMB", driveSeconds);
  const heap = summarise(samples, "heapUsedMB", driveSeconds);
  const heapLessEmulator = summarise(samples, "heapUsedLessEmulatorMB", driveSeconds);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const finishedAt = new Date();
  const load = `load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`;
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, Node ${process.version}, ${load}`;
  const answered = drive.records.length;

  // --- the report.
  const lines: string[] = [];
  const row = (cells: Array<string | number>, widths: number[]) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join("  ");
  lines.push(
    `Switchboard soak — ${finishedAt.toISOString()} (${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s in all, ${driveSeconds.toFixed(0)} s of traffic)`,
    `command: ${command}`,
    `source: ${sourceState()}`,
    `machine: ${machine}`,
    `load: ${settings.ratePerSec} req/s offered (${answered} answered, ${drive.shed} shed at ${settings.maxInFlight} in flight), ` +
      `${inbound.size} inbound SMS, ${settings.sockets} sockets on ${socketConversations.length} conversations; ` +
      `emulator latency ${settings.latencyMs} ms; gateway rate limits ${process.env.RATE_LIMIT_PER_USER_PER_MINUTE === "0" ? "off" : "on"}`,
    `gateway process: ${Math.round(((cpu.user + cpu.system) / 1000 / (driveSeconds * 1000)) * 100)}% of a core (gateway + emulator), ` +
      `${gateway.upstream.attempts - upstreamBefore} upstream calls (${((gateway.upstream.attempts - upstreamBefore) / driveSeconds).toFixed(0)}/s); load generator ${Math.round(drive.cpuShare * 100)}% of a core`,
    "",
  );
  const w1 = [28, 7, 7, 9, 11, 8, 8, 8];
  lines.push(row(["requests", "sent", "2xx", "outage", "unexpected", "p50 ms", "p99 ms", "max ms"], w1));
  for (const kind of SOAK_KINDS) {
    const t = requests[kind];
    const stats = latencyStats(latency[kind]);
    lines.push(
      row(
        [kindLabel[kind], t.total, t.ok, t.outage, t.unexpected, stats.p50.toFixed(0), stats.p99.toFixed(0), stats.max.toFixed(0)],
        w1,
      ),
    );
  }
  lines.push("");
  const w2 = [28, 7, 7, 9, 11];
  lines.push(row(["webhooks (emulator → gateway)", "sent", "2xx", "outage", "unexpected"], w2));
  for (const [event, t] of Object.entries(webhooks).sort())
    lines.push(row([event, t.total, t.ok, t.outage, t.unexpected], w2));
  lines.push(
    "",
    `sockets: ${sockets.connected}/${settings.sockets} connected at the end, ${sockets.disconnects.length} disconnects, ${sockets.errors.length} errors; ` +
      `inbound deliveries ${deliveries}/${expectedDeliveries} (${missingDeliveries} missing, ${duplicateDeliveries} duplicate), ` +
      `${inboundWebhookRefused} inbound not delivered because their webhook failed in an outage; ${sockets.conversationUpdates} conversation:updated`,
    `faults: ${bursts.map((b) => `${b.kind} @${b.atSec}s ×${b.served}`).join(", ") || "none"}` +
      `; emulator 5xx other than injected: ${otherEmulator5xx}`,
    "",
  );
  const w3 = [28, 9, 9, 9, 12, 12, 14];
  lines.push(row(["memory (MB, after GC)", "start", "end", "max", "1st-min avg", "last-min avg", "slope 2nd half"], w3));
  for (const [name, s] of [
    ["RSS", rss],
    ["heapUsed", heap],
    ["heapUsed − emulator store", heapLessEmulator],
  ] as const)
    lines.push(
      row(
        [name, s.start, s.end, s.max, s.firstMinuteMean, s.lastMinuteMean, `${s.secondHalfSlopeMBPerMin} MB/min`],
        w3,
      ),
    );
  lines.push(
    `  emulator store (same heap): ${first.emulatorMessages} → ${last.emulatorMessages} messages, ${(bytesPerEmulatorMessage / 1024).toFixed(1)} KiB each (weighed at the end); gateway cache ${first.cacheEntries} → ${cacheAtEnd.entries} entries, ${first.cacheMB} → ${last.cacheMB} MB`,
    "",
  );
  const w4 = [8, 8, 10, 11, 10, 10, 9, 7, 8, 8];
  lines.push(row(["t (s)", "RSS", "heapUsed", "− emulator", "heapTotal", "external", "emu msgs", "cache", "dedupe", "search"], w4));
  for (const s of samples)
    lines.push(
      row(
        [
          s.tSec.toFixed(0),
          s.rssMB,
          s.heapUsedMB,
          s.heapUsedLessEmulatorMB ?? "",
          s.heapTotalMB,
          s.externalMB,
          s.emulatorMessages,
          s.cacheEntries,
          s.dedupeKeys,
          s.searchIndexMessages,
        ],
        w4,
      ),
    );
  lines.push(
    "",
    unexpected === 0
      ? `RESULT: no unexpected answers (${restUnexpected} REST, ${webhookUnexpected} webhook, ${socketUnexpected} socket)`
      : `RESULT: ${unexpected} unexpected (${restUnexpected} REST, ${webhookUnexpected} webhook, ${socketUnexpected} socket, ${inboundErrors} inbound simulation errors, ${inboundWebhookUnseen} inbound without a webhook)`,
  );
  for (const [kind, t] of Object.entries(requests))
    for (const [reason, n] of Object.entries(t.reasons)) lines.push(`  ${kind}: ${reason} × ${n}`);
  for (const t of Object.values(webhooks)) for (const [reason, n] of Object.entries(t.reasons)) lines.push(`  webhook ${reason} × ${n}`);
  for (const d of sockets.disconnects.slice(0, 10)) lines.push(`  socket ${d.socket} disconnected: ${d.reason}`);
  process.stdout.write(`\n${lines.join("\n")}\n\n`);

  writeResults("soak.json", { command, startedAt, finishedAt, machine }, {
    settings: { ...settings, conversations: bench.conversations, graceMs },
    driveSeconds,
    unexpected,
    requests: Object.fromEntries(
      SOAK_KINDS.map((kind) => [kind, { ...requests[kind], latencyMs: latencyStats(latency[kind]) }]),
    ),
    shed: drive.shed,
    webhooks,
    sockets: {
      connectedAtEnd: sockets.connected,
      disconnects: sockets.disconnects,
      errors: sockets.errors,
      inbound: inbound.size,
      inboundErrors,
      inboundWebhookUnseen,
      inboundWebhookRefused,
      expectedDeliveries,
      deliveries,
      missingDeliveries,
      duplicateDeliveries,
      conversationUpdates: sockets.conversationUpdates,
    },
    faults: bursts,
    otherEmulator5xx,
    upstreamCalls: gateway.upstream.attempts - upstreamBefore,
    cpu: { gatewayShare: (cpu.user + cpu.system) / 1000 / (driveSeconds * 1000), loadGeneratorShare: drive.cpuShare },
    memory: { rss, heapUsed: heap, heapUsedLessEmulator: heapLessEmulator, bytesPerEmulatorMessage, samples },
    unexpectedSamples,
  });
  return unexpected > 0;
}

const kindLabel: Record<SoakKind, string> = {
  list: "GET /conversations",
  get: "GET /conversations/:sid",
  messages: "GET …/:sid/messages",
  send: "POST …/:sid/messages",
  patch: "PATCH …/:sid/attributes",
  search: "GET /conversations/:org/search",
};

// Memory is only comparable after a full collection: re-run this file in a Node with --expose-gc.
if (typeof globalThis.gc !== "function") {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: "inherit",
    env: process.env,
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  main().then(
    (failed) => process.exit(failed ? 1 : 0),
    (error: unknown) => {
      process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(2);
    },
  );
}
