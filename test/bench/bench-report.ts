import type { BenchSettings } from "./bench-settings.js";
import { businessRows, type BusinessBenchResult } from "./business-bench.js";
import { ratio } from "./latency-stats.js";
import { scaleOutRows, type ScaleOutResult } from "./scale-out-bench.js";
import type { LargeTenantResult } from "./large-tenant-bench.js";
import type { ListVariantResult } from "./list-conversations-bench.js";
import type { MemoryRun } from "./memory-bench.js";
import type { ThroughputRow } from "./throughput-bench.js";
import type { TokenCheckResult } from "./token-check-bench.js";
import type { FanoutResult } from "./webhook-fanout-bench.js";
import type { InboxPageOutcome } from "./inbox-page-bench.js";
import type { MediaStreamResult } from "./media-stream-bench.js";
import type { WireBytesRow } from "./wire-bytes-bench.js";

export interface BenchResults {
  list: ListVariantResult[];
  throughput: ThroughputRow[];
  tokenCheck?: TokenCheckResult;
  fanout: FanoutResult[];
  memory: MemoryRun[];
  page?: InboxPageOutcome;
  media?: MediaStreamResult;
  large?: LargeTenantResult;
  wireBytes?: WireBytesRow[];
  business?: BusinessBenchResult;
  scaleOut?: ScaleOutResult;
}

/** One line of the printed table: a figure, the same figure for its baseline, their ratio and the target. */
export interface ReportRow {
  section: string;
  figure: string;
  switchboard: string;
  baseline: string;
  ratio: string;
  target: string;
  /** Whether the target is met (informative only: nothing here fails the run). */
  meets?: boolean;
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const pair = (a: number, b: number) => `${ms(a)} / ${ms(b)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
const num = (value: number) => Math.round(value).toLocaleString("en-US");

function listRows(results: ListVariantResult[], settings: BenchSettings): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const r of results) {
    const name = `${r.conversations} conv ${r.variant}`;
    const summaries = r.variant === "with summary";
    const calls = (s: ListVariantResult["cold"]) =>
      s.callsMax === s.callsMedian ? `${s.callsMedian}` : `${s.callsMedian} (max ${s.callsMax})`;
    const section = `1. upstream calls per GET /conversations?limit=${settings.listLimit} (naive: no cache)`;
    rows.push(
      {
        section,
        figure: `${name}, cold`,
        switchboard: calls(r.cold),
        baseline: calls(r.naive),
        ratio: String(ratio(r.cold.callsMedian, r.naive.callsMedian)),
        target: summaries ? "≤ 2 (naive ≈ 101)" : "—",
        ...(summaries ? { meets: r.cold.callsMax <= 2 } : {}),
      },
      {
        section,
        figure: `${name}, warm`,
        switchboard: calls(r.warm),
        baseline: calls(r.naive),
        ratio: String(ratio(r.warm.callsMedian, r.naive.callsMedian)),
        target: "0",
        meets: r.warm.callsMax === 0,
      },
    );
  }
  for (const r of results) {
    const name = `${r.conversations} conv ${r.variant}`;
    const section = `2. latency p50 / p99 of that request (${settings.coldSamples} cold, ${settings.warmSamples} warm samples; naive ${settings.coldSamples})`;
    rows.push(
      {
        section,
        figure: `${name}, cold`,
        switchboard: pair(r.cold.latencyMs.p50, r.cold.latencyMs.p99),
        baseline: pair(r.naive.latencyMs.p50, r.naive.latencyMs.p99),
        ratio: `${ratio(r.cold.latencyMs.p50, r.naive.latencyMs.p50)} / ${ratio(r.cold.latencyMs.p99, r.naive.latencyMs.p99)}`,
        target: "—",
      },
      {
        section,
        figure: `${name}, warm`,
        switchboard: pair(r.warm.latencyMs.p50, r.warm.latencyMs.p99),
        baseline: pair(r.naive.latencyMs.p50, r.naive.latencyMs.p99),
        ratio: `${ratio(r.warm.latencyMs.p50, r.naive.latencyMs.p50)} / ${ratio(r.warm.latencyMs.p99, r.naive.latencyMs.p99)}`,
        target: "p50 ≤ 5 ms",
        meets: r.warm.latencyMs.p50 <= 5,
      },
    );
  }
  return rows;
}

function throughputRows(results: ThroughputRow[], settings: BenchSettings): ReportRow[] {
  const section = `3. warm throughput, autocannon ${settings.autocannonConnections} connections, ${settings.throughputRounds} × ${settings.autocannonSeconds} s taking turns with the ceiling (child process) vs ceiling: bare Koa, same bytes + same JWT check`;
  const rows: ReportRow[] = [];
  for (const r of results) {
    rows.push({
      section,
      figure: `${r.name} (${(r.responseBytes / 1024).toFixed(1)} KiB), req/s`,
      switchboard: `${num(r.switchboard.requestsPerSec)} (p99 ${r.switchboard.latencyP99Ms} ms, ${r.switchboardUpstreamCalls} upstream)`,
      baseline: `${num(r.ceiling.requestsPerSec)} (p99 ${r.ceiling.latencyP99Ms} ms)`,
      ratio: String(r.fractionOfCeiling),
      target: r.name.includes("304") ? "≥ 0.9" : "≥ 0.7",
      meets: r.fractionOfCeiling >= (r.name.includes("304") ? 0.9 : 0.7),
    });
    rows.push({
      section,
      figure: `${r.name}: server CPU per request`,
      switchboard: `${num(r.switchboard.cpuMicrosPerRequest)} µs`,
      baseline: `${num(r.ceiling.cpuMicrosPerRequest)} µs`,
      ratio: String(r.cpuFractionOfCeiling),
      target: "—",
    });
    if (r.other)
      rows.push({
        section,
        figure: `${r.name}: ${r.other.label}, req/s`,
        switchboard: num(r.other.summary.requestsPerSec),
        baseline: num(r.ceiling.requestsPerSec),
        ratio: String(r.other.fractionOfCeiling),
        target: "—",
      });
  }
  return rows;
}

function wireBytesRows(results: WireBytesRow[] | undefined): ReportRow[] {
  const section = "3c. bytes over the wire of a warm page (body) vs the same page uncompressed (before compression: every client got this)";
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return (results ?? []).flatMap((r) => [
    {
      section,
      figure: `${r.name}: br / gzip`,
      switchboard: `${kib(r.br)} / ${kib(r.gzip)}`,
      baseline: kib(r.identity),
      ratio: `${ratio(r.br, r.identity)} / ${ratio(r.gzip, r.identity)}`,
      target: r.name.includes("/messages") ? "—" : "br ≤ 0.2",
      ...(r.name.includes("/messages") ? {} : { meets: r.br <= 0.2 * r.identity }),
    },
    {
      section,
      figure: `${r.name}: 304 for a current If-None-Match (headers only)`,
      switchboard: `${num(r.notModifiedHeaderBytes)} B`,
      baseline: kib(r.identity),
      ratio: String(ratio(r.notModifiedHeaderBytes, r.identity)),
      target: "—",
    },
  ]);
}

function tokenCheckRows(result: TokenCheckResult | undefined): ReportRow[] {
  if (!result) return [];
  return [
    {
      section: `3b. JWT check per request, in-process (${num(result.verifies)} verifies each) vs jsonwebtoken with a KeyObject made once`,
      figure: "µs per verify (gateway verifier vs KeyObject)",
      switchboard: `${result.gatewayMicros} µs`,
      baseline: `${result.keyObjectMicros} µs`,
      ratio: String(result.ratio),
      target: "—",
    },
  ];
}

/**
 * Cores busy during a webhook → socket drive: the server's process, then the load generator's (sender + sockets), and
 * how late the load generator's event loop ran (a late loop stamps deliveries late).
 */
const cores = (run: FanoutResult["switchboard"]) =>
  `${run.serverCpuShare} / ${run.clientCpuShare} (client loop delay p99 ${ms(run.clientLoopDelayMs.p99)} ms${run.disconnected ? `, ${num(run.disconnected)} sockets dropped` : ""})`;

function fanoutRows(results: FanoutResult[], settings: BenchSettings): ReportRow[] {
  const section = `4. webhook → socket, onMessageAdded at ${settings.webhookRate}/s × ${settings.webhookSeconds} s (sender + sockets in one child process) vs bare Socket.IO`;
  const rows: ReportRow[] = [];
  for (const r of results) {
    const name = `${r.sockets} sockets / ${r.conversations} conv${r.mode === "with echo" ? ", with Twilio's echo" : ""}`;
    const sb = r.switchboard;
    const base = r.baseline;
    const missed = (run: typeof sb) =>
      run.deliveries < run.expectedDeliveries ? `, ${num(run.expectedDeliveries - run.deliveries)} missed` : "";
    rows.push(
      {
        section,
        figure: `${name}: webhooks/s sustained (answer p99)`,
        switchboard: `${num(sb.sustainedPerSec)} (${ms(sb.answerMs.p99)} ms)`,
        baseline: `${num(base.sustainedPerSec)} (${ms(base.answerMs.p99)} ms)`,
        ratio: String(r.sustainedRatio),
        target: `≥ 1,500/s`,
        meets: sb.sustainedPerSec >= 1500,
      },
      {
        section,
        figure: `${name}: delivery p50 / p99 (at arrivals/s)`,
        switchboard: `${pair(sb.deliveryMs.p50, sb.deliveryMs.p99)} (${num(sb.arrivedPerSec)}/s)${missed(sb)}`,
        baseline: `${pair(base.deliveryMs.p50, base.deliveryMs.p99)} (${num(base.arrivedPerSec)}/s)${missed(base)}`,
        ratio: `${r.deliveryP50Ratio} / ${r.deliveryP99Ratio}`,
        target: "p99 ≤ 15 ms",
        meets: sb.deliveryMs.p99 <= 15 && sb.deliveries === sb.expectedDeliveries,
      },
      {
        section,
        figure: `${name}: server CPU per webhook (gateway + in-process emulator)`,
        switchboard: `${sb.serverCpuMsPerWebhook} ms`,
        baseline: `${base.serverCpuMsPerWebhook} ms`,
        ratio: String(r.cpuPerWebhookRatio),
        target: "—",
      },
      {
        section,
        figure: `${name}: cores busy during the drive, server / load generator (${sb.socketClient} client: its loop delay must stay small beside delivery p99 for the latency to be the server's)`,
        switchboard: cores(sb),
        baseline: cores(base),
        ratio: "—",
        target: "—",
      },
    );
    const own = r.ownProcess;
    if (own)
      rows.push(
        {
          section,
          figure: `${name}, gateway in its own process: gateway CPU per webhook (emulator's beside it)`,
          switchboard: `${own.serverCpuMsPerWebhook} ms (emulator ${own.emulatorCpuMsPerWebhook ?? "?"} ms); cores ${cores(own)}`,
          baseline: `${base.serverCpuMsPerWebhook} ms`,
          ratio: String(r.ownProcessCpuPerWebhookRatio),
          target: "≤ 2",
          meets: (r.ownProcessCpuPerWebhookRatio ?? Infinity) <= 2,
        },
        {
          section,
          figure: `${name}, gateway in its own process: webhooks/s (answer p99), delivery p50 / p99`,
          switchboard: `${num(own.sustainedPerSec)} (${ms(own.answerMs.p99)} ms), ${pair(own.deliveryMs.p50, own.deliveryMs.p99)}${missed(own)}`,
          baseline: `${num(base.sustainedPerSec)} (${ms(base.answerMs.p99)} ms), ${pair(base.deliveryMs.p50, base.deliveryMs.p99)}`,
          ratio: `${ratio(own.sustainedPerSec, base.sustainedPerSec)} / ${ratio(own.deliveryMs.p99, base.deliveryMs.p99)}`,
          target: "p99 ≤ 15 ms",
          meets: own.deliveryMs.p99 <= 15 && own.deliveries === own.expectedDeliveries,
        },
      );
    for (const { feed, run, cpuPerWebhookRatio } of r.feeds ?? [])
      rows.push({
        section,
        figure: `${name}, own process, sockets on the ${feed} tenant feed: gateway CPU per webhook; delivery p50 / p99; feed events`,
        switchboard: `${run.serverCpuMsPerWebhook} ms; ${pair(run.deliveryMs.p50, run.deliveryMs.p99)}${missed(run)}; ${num(run.conversationBatches + run.conversationUpdates)}; cores ${cores(run)}`,
        baseline: `${base.serverCpuMsPerWebhook} ms; ${pair(base.deliveryMs.p50, base.deliveryMs.p99)}; each: ${num(own?.conversationUpdates ?? sb.conversationUpdates)}`,
        ratio: `${cpuPerWebhookRatio} / ${ratio(run.deliveryMs.p99, base.deliveryMs.p99)}`,
        target: "≤ 2; p99 ≤ 15 ms",
        meets: cpuPerWebhookRatio <= 2 && run.deliveryMs.p99 <= 15 && run.deliveries === run.expectedDeliveries,
      });
  }
  return rows;
}

function memoryRows(results: MemoryRun[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const r of results) {
    const section = `5. memory: ${num(r.inserted)} conversation entries into InboxCache (fresh child process, --expose-gc)`;
    rows.push(
      {
        section,
        figure: `${r.label}: calculatedSize / maxBytes (entries kept)`,
        switchboard: `${num(r.calculatedSize)} B (${num(r.retained)})`,
        baseline: `${num(r.maxBytes)} B`,
        ratio: (r.calculatedSize / r.maxBytes).toFixed(5),
        target: "≤ 1",
        meets: r.boundRatio <= 1,
      },
      {
        section,
        figure: `${r.label}: RSS delta (vs process baseline RSS)`,
        switchboard: mib(r.rssDeltaBytes),
        baseline: mib(r.rssBaselineBytes),
        ratio: `${r.rssPerCountedByte} × calculatedSize`,
        target: "—",
      },
    );
  }
  return rows;
}

function pageRows(outcome: InboxPageOutcome | undefined): ReportRow[] {
  if (!outcome) return [];
  const section = "6. inbox page at / (Chromium; emulator mode) vs a plain static page of the same list, same process";
  if ("notRun" in outcome) return [{ section, figure: "not run", switchboard: outcome.notRun, baseline: "—", ratio: "—", target: "—" }];
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const { bundle, inbox, staticPage } = outcome;
  return [
    {
      section,
      figure: "download: script + stylesheet, gzip",
      switchboard: `${kib(bundle.scriptGzipBytes)} + ${kib(bundle.stylesheetGzipBytes)} (script ${kib(bundle.scriptBytes)} minified)`,
      baseline: `static page ${kib(staticPage.bytes)} (uncompressed)`,
      ratio: "—",
      target: "≈ 22 KiB gzip for Preact + signals + socket.io-client",
    },
    {
      section,
      figure: `first render of the list (${outcome.conversations} conversations), cold cache, median of ${outcome.rounds}`,
      switchboard: `${ms(inbox.coldListMs)} ms`,
      baseline: `${ms(staticPage.coldPaintMs)} ms (first paint)`,
      ratio: String(ratio(inbox.coldListMs, staticPage.coldPaintMs)),
      target: "—",
    },
    {
      section,
      figure: "first render of the list, second visit (hashed assets cached)",
      switchboard: `${ms(inbox.warmListMs)} ms`,
      baseline: `${ms(staticPage.warmPaintMs)} ms (first paint)`,
      ratio: String(ratio(inbox.warmListMs, staticPage.warmPaintMs)),
      target: "—",
    },
  ];
}

export function reportRows(results: BenchResults, settings: BenchSettings): ReportRow[] {
  return [
    ...listRows(results.list, settings),
    ...throughputRows(results.throughput, settings),
    ...wireBytesRows(results.wireBytes),
    ...tokenCheckRows(results.tokenCheck),
    ...fanoutRows(results.fanout, settings),
    ...memoryRows(results.memory),
    ...pageRows(results.page),
    ...mediaRows(results.media),
    ...largeRows(results.large),
    ...businessRows(results.business),
    ...(results.scaleOut ? scaleOutRows(results.scaleOut) : []),
  ];
}

function mediaRows(result: MediaStreamResult | undefined): ReportRow[] {
  if (!result) return [];
  const section = `8. media: a ${mib(result.fileBytes)} WhatsApp video downloaded with curl (${result.rounds} rounds; gateway and emulator in one process)`;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const gatewaySeconds = median(result.gateway.map((d) => d.seconds));
  const directSeconds = median(result.direct.map((d) => d.seconds));
  const worst = (downloads: MediaStreamResult["gateway"], key: "rssGrowthBytes" | "heldRssGrowthBytes" | "heldBufferBytes") =>
    Math.max(...downloads.map((d) => d[key]));
  return [
    {
      section,
      figure: "time, median: through the gateway (2 Twilio reads side by side, then the stream) / curl straight from the emulator",
      switchboard: `${(gatewaySeconds * 1000).toFixed(0)} ms`,
      baseline: `${(directSeconds * 1000).toFixed(0)} ms`,
      ratio: (gatewaySeconds / directSeconds).toFixed(2),
      target: "—",
    },
    {
      section,
      figure: "held during the download (GC every 10 ms): RSS growth / Buffer memory, worst round, vs the file size",
      switchboard: `${mib(worst(result.gateway, "heldRssGrowthBytes"))} / ${mib(worst(result.gateway, "heldBufferBytes"))} (direct: ${mib(worst(result.direct, "heldRssGrowthBytes"))})`,
      baseline: mib(result.fileBytes),
      ratio: (worst(result.gateway, "heldRssGrowthBytes") / result.fileBytes).toFixed(3),
      target: "far below 1",
      meets: worst(result.gateway, "heldRssGrowthBytes") < result.fileBytes / 8,
    },
    {
      section,
      figure: "RSS growth left to V8 (spent 64 KiB chunks not yet collected: below V8's 64 MiB external trigger)",
      switchboard: `${mib(worst(result.gateway, "rssGrowthBytes"))} (direct: ${mib(worst(result.direct, "rssGrowthBytes"))})`,
      baseline: mib(result.fileBytes),
      ratio: (worst(result.gateway, "rssGrowthBytes") / result.fileBytes).toFixed(3),
      target: "—",
    },
  ];
}

function largeRows(r: LargeTenantResult | undefined): ReportRow[] {
  if (!r) return [];
  const section = `7. a tenant of ${num(r.conversations)} conversations, CONVERSATION_INDEX_LIMIT ${num(r.indexLimit)} (baseline: the whole index loaded before answering, as before)`;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return [
    { section, figure: "upstream calls at boot: createApp (+ registering the webhooks, main.ts)", switchboard: `${num(r.bootCalls)} (+ ${num(r.registerCalls)})`, baseline: "—", ratio: "—", target: "bounded per tenant", meets: r.bootCalls === 0 },
    { section, figure: "first GET ?limit=50, cold: time (upstream calls it waited for)", switchboard: `${ms(r.cold.ms)} ms (${r.cold.calls})`, baseline: `${ms(r.fill.ms)} ms (${r.fill.calls})`, ratio: ratioText(r.cold.ms, r.fill.ms), target: "≤ 2 calls", meets: r.cold.calls <= 2 },
    { section, figure: "the same after a restart", switchboard: `${ms(r.restartCold.ms)} ms (${r.restartCold.calls})`, baseline: "—", ratio: "—", target: "≤ 2 calls", meets: r.restartCold.calls <= 2 },
    { section, figure: "organization inbox list ?limit=50, cold (cache dropped)", switchboard: `${ms(r.orgCold.ms)} ms (${r.orgCold.calls})`, baseline: "—", ratio: "—", target: "≤ 2 calls", meets: r.orgCold.calls <= 2 },
    { section, figure: "index complete in the background: time (upstream calls)", switchboard: `${ms(r.fill.ms)} ms (${r.fill.calls})`, baseline: "—", ratio: "—", target: "—" },
    { section, figure: "warm GET ?limit=50 p50 / p99", switchboard: pair(r.warm.p50, r.warm.p99), baseline: "—", ratio: "—", target: "—" },
    { section, figure: "heap after GC: directory (index + cached entries), per 1,000 conversations", switchboard: `${mib(r.memory.directoryBytes)}, ${kib(r.memory.directoryPer1000)}`, baseline: `cache calculatedSize ${mib(r.memory.cacheBytes)}`, ratio: "—", target: "—" },
    { section, figure: "heap after GC: search index per 10,000 messages", switchboard: kib(r.memory.searchPer10000), baseline: "—", ratio: "—", target: "—" },
    { section, figure: "heap after GC: 1,000 connected, subscribed sockets (server side)", switchboard: kib(r.memory.socketsPer1000), baseline: "—", ratio: "—", target: "—" },
    { section, figure: "first page = the 50 most recently active (Twilio's truth), old conversation woken after the restart first", switchboard: `${r.correctness.firstPageExact && r.correctness.wokenFirst ? "exact" : `${r.correctness.differing} of ${r.correctness.expected} differ`}`, baseline: "—", ratio: "—", target: "exact", meets: r.correctness.firstPageExact && r.correctness.wokenFirst },
  ];
}

const ratioText = (a: number, b: number) => (b === 0 ? "—" : (a / b).toFixed(3));

/** A plain-text table, one block per section. */
export function formatTable(rows: ReportRow[]): string {
  const header = ["figure", "Switchboard", "baseline", "ratio", "target", "met"];
  const cells = rows.map((r) => [
    r.figure,
    r.switchboard,
    r.baseline,
    r.ratio,
    r.target,
    r.meets === undefined ? "" : r.meets ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join(" | ")
      .trimEnd();
  const out: string[] = [line(header), widths.map((w) => "-".repeat(w)).join("-|-")];
  let section = "";
  rows.forEach((row, i) => {
    if (row.section !== section) {
      section = row.section;
      out.push("", section);
    }
    out.push(line(cells[i]!));
  });
  return out.join("\n");
}
