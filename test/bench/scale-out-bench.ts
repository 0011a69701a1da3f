import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { CONVERSATION_WEBHOOK_PATH } from "../../src/webhooks/register-webhooks.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { ArrivalClock } from "./arrival-clock.js";
import { cpuProfileDir } from "./cpu-profile.js";
import type { BenchGateway, ScaleOutSettings } from "./bench-gateway.js";
import type { ReportRow } from "./bench-report.js";
import type { BenchSettings } from "./bench-settings.js";
import type { GatewayProcessRequest } from "./gateway-process-worker.js";
import { ratio } from "./latency-stats.js";
import { driveOutcome, type DriveOutcome } from "./drive-outcome.js";
import type { SeededInbox } from "./seed-bench-tenants.js";
import type { DriveReply, SocketWorkerRequest } from "./socket-load-worker.js";
import { timedGet } from "./timed-get.js";
import { resign } from "./webhook-fanout-bench.js";
import { planWebhooks } from "./webhook-plan.js";
import { WorkerProcess } from "./worker-process.js";

/** One deployment under the offered load: one or two gateway processes, with or without the shared Redis. */
export interface ScaleOutRun extends DriveOutcome {
  name: string;
  instances: number;
  redis: boolean;
  offeredPerSec: number;
  expectedDeliveries: number;
  /** All gateway processes' CPU during the drive ÷ webhooks, ms. */
  gatewayCpuMsPerWebhook: number;
  /** Each process's CPU share during the drive (1.0 = one core). */
  instanceCpuShares: number[];
  /** Twilio calls (the emulator's count) during the drive and until the gateways went quiet, ÷ webhooks. */
  twilioCallsPerWebhook: number;
  /** redis-server's CPU during the drive ÷ webhooks, ms. */
  redisCpuMsPerWebhook?: number;
  clientCpuShare: number;
}

export interface ScaleOutResult {
  sockets: number;
  conversations: number;
  runs: ScaleOutRun[];
  /** Why the section did not run (no redis-server on this machine). */
  notRun?: string;
}

/** Webhooks are signed for this URL whichever instance gets them, as behind a load balancer (PUBLIC_BASE_URL). */
const PUBLIC_BASE_URL = "https://switchboard.bench.invalid";

/** The clock ticks /proc counts CPU time in (asked of `getconf` once). */
let ticksPerSec: number | undefined;

/** CPU time of another process so far (utime + stime from /proc), ms; undefined where /proc is not readable. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5): utime, stime
    ticksPerSec ??= Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim()) || 100;
    return (ticks / ticksPerSec) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * The scale-out figure: the same offered load (onMessageAdded webhooks at `webhookRate`, the sockets subscribed
 * across `socketConversations` conversations, Twilio's echo left out) against one gateway process alone, one
 * process with the Redis it would share, and two processes sharing that Redis — webhooks taking turns between them
 * as behind a round-robin balancer, half the sockets on each, so every emission crosses the Socket.IO Redis
 * adapter to reach the other half. Every process is on this machine's two cores with the emulator, Redis and the
 * load generator: the figure shows what scaling out costs per webhook, not what a second machine would add.
 */
export async function benchScaleOut(gateway: BenchGateway, seeded: SeededInbox, settings: BenchSettings): Promise<ScaleOutResult> {
  const sockets = Math.max(...settings.socketCounts);
  const conversations = seeded.alpha.slice(0, settings.socketConversations).map((c) => c.sid);
  if (spawnSync("redis-server", ["--version"]).error)
    return { sockets, conversations: conversations.length, runs: [], notRun: "redis-server is not installed (apt-get install redis-server)" };
  const redis = await startRedisServer();
  const worker = new WorkerProcess(new URL("./socket-load-worker.ts", import.meta.url));
  const runs: ScaleOutRun[] = [];
  try {
    await gateway.routeWebhooks("off");
    runs.push(await runDeployment(gateway, seeded, settings, worker, redis, { name: "1 process, no Redis", instances: 1, redis: false }, sockets, conversations));
    runs.push(await runDeployment(gateway, seeded, settings, worker, redis, { name: "1 process + Redis", instances: 1, redis: true }, sockets, conversations));
    runs.push(await runDeployment(gateway, seeded, settings, worker, redis, { name: "2 processes + Redis", instances: 2, redis: true }, sockets, conversations));
  } finally {
    await worker.close();
    await redis.stop();
    await gateway.routeWebhooks("gateway");
  }
  return { sockets, conversations: conversations.length, runs };
}

async function runDeployment(
  gateway: BenchGateway,
  seeded: SeededInbox,
  settings: BenchSettings,
  worker: WorkerProcess,
  redis: RedisServer,
  deployment: { name: string; instances: number; redis: boolean },
  sockets: number,
  conversations: string[],
): Promise<ScaleOutRun> {
  const scaleOut: ScaleOutSettings | undefined = deployment.redis ? { redisUrl: redis.url, publicBaseUrl: PUBLIC_BASE_URL } : undefined;
  const processes = Array.from({ length: deployment.instances }, () => new WorkerProcess(new URL("./gateway-process-worker.ts", import.meta.url)));
  const ask = <T>(process: WorkerProcess, request: GatewayProcessRequest) => process.request<T>(request);
  try {
    const baseUrls: string[] = [];
    for (const process of processes) {
      const { baseUrl } = await ask<{ baseUrl: string }>(process, { type: "start", emulatorBaseUrl: gateway.emulator.baseUrl, tenants: gateway.tenants, ...(scaleOut ? { scaleOut } : {}) });
      await timedGet(`${baseUrl}/api/v1/chat/conversations?limit=100`, { authorization: `Bearer ${gateway.token("alpha")}` });
      baseUrls.push(baseUrl);
    }
    // Without Redis the one process checks signatures against its own address; with it, against the public URL.
    const signedFor = `${scaleOut ? PUBLIC_BASE_URL : baseUrls[0]}${CONVERSATION_WEBHOOK_PATH}`;
    const webhookUrls = baseUrls.map((baseUrl) => `${baseUrl}${CONVERSATION_WEBHOOK_PATH}`);

    // Half the sockets on each instance, each half spread over the conversations as the fan-out bench spreads them.
    const share = (i: number) => Math.floor(sockets / baseUrls.length) + (i < sockets % baseUrls.length ? 1 : 0);
    const subscribers = conversations.map(() => 0);
    for (const [i, baseUrl] of baseUrls.entries()) {
      const count = share(i);
      await worker.request({ type: "connect", baseUrl, token: gateway.token("alpha"), sockets: count, conversations } satisfies SocketWorkerRequest);
      for (let s = 0; s < count; s++) subscribers[s % conversations.length]!++;
    }

    // One second of fresh webhooks first, unmeasured: every process starts the measured drive warm.
    const warmUp = resign(await planWebhooks(gateway, seeded, settings.webhookRate, conversations.length), signedFor, gateway.tenants.alpha.authToken);
    await worker.request<DriveReply>({
      type: "drive",
      url: webhookUrls,
      ratePerSec: settings.webhookRate,
      webhooks: warmUp.webhooks,
      expectedDeliveries: warmUp.conversationOf.reduce((sum, c) => sum + subscribers[c]!, 0),
    } satisfies SocketWorkerRequest);
    await gateway.quiesce(200);

    const plan = resign(await planWebhooks(gateway, seeded, settings.webhookRate * settings.webhookSeconds, conversations.length), signedFor, gateway.tenants.alpha.authToken);
    const expectedDeliveries = plan.conversationOf.reduce((sum, c) => sum + subscribers[c]!, 0);
    for (const process of processes) await ask(process, { type: "reset-arrivals", count: plan.webhooks.length });
    const cpuOf = async () => Promise.all(processes.map(async (process) => {
      const usage = await ask<NodeJS.CpuUsage>(process, { type: "cpu" });
      return (usage.user + usage.system) / 1000;
    }));
    gateway.emulator.requests.clear();
    const cpuBefore = await cpuOf();
    const callsBefore = gateway.emulator.requests.count();
    const redisBefore = deployment.redis ? processCpuMs(redis.pid()) : undefined;
    const profileDir = cpuProfileDir();
    if (profileDir)
      for (const [i, process] of processes.entries())
        await ask(process, { type: "profile-start", dir: profileDir, name: `scale-out ${deployment.name} gateway ${i + 1}` });
    const wallBefore = performance.now();
    const reply = await worker.request<DriveReply>({
      type: "drive",
      url: webhookUrls,
      ratePerSec: settings.webhookRate,
      webhooks: plan.webhooks,
      expectedDeliveries,
    } satisfies SocketWorkerRequest);
    const wallMs = performance.now() - wallBefore;
    if (profileDir) for (const process of processes) await ask(process, { type: "profile-stop" });
    const cpuSpent = (await cpuOf()).map((after, i) => after - cpuBefore[i]!);
    const redisAfter = deployment.redis ? processCpuMs(redis.pid()) : undefined;
    await gateway.quiesce(200);
    const twilioCalls = gateway.emulator.requests.count() - callsBefore;
    await worker.request({ type: "disconnect" } satisfies SocketWorkerRequest);

    // Webhook k reached instance k % n (the drive's turns): its arrival is on that instance's clock.
    const clocks = await Promise.all(processes.map(async (process) => ArrivalClock.of((await ask<{ times: Float64Array }>(process, { type: "arrivals" })).times)));
    const webhooks = plan.webhooks.length;
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      name: deployment.name,
      instances: deployment.instances,
      redis: deployment.redis,
      offeredPerSec: settings.webhookRate,
      ...driveOutcome(reply, (seq) => clocks[seq % clocks.length]!.at(seq)),
      expectedDeliveries,
      gatewayCpuMsPerWebhook: round(cpuSpent.reduce((sum, ms) => sum + ms, 0) / webhooks),
      instanceCpuShares: cpuSpent.map((ms) => round(ms / wallMs)),
      twilioCallsPerWebhook: round(twilioCalls / webhooks),
      ...(redisBefore !== undefined && redisAfter !== undefined ? { redisCpuMsPerWebhook: round((redisAfter - redisBefore) / webhooks) } : {}),
      clientCpuShare: reply.cpuShare,
    };
  } finally {
    for (const process of processes) {
      await process.request({ type: "stop" } satisfies GatewayProcessRequest).catch(() => undefined);
      await process.close();
    }
  }
}

/** The report's rows: each deployment beside the single process without Redis, measured in the same run. */
export function scaleOutRows(result: ScaleOutResult): ReportRow[] {
  const section = `10. scale-out: the same offered load on 1 process vs 2 processes sharing Redis (${result.sockets} sockets / ${result.conversations} conv, no echo; every process on this machine's cores)`;
  if (result.notRun) return [{ section, figure: "not run", switchboard: result.notRun, baseline: "—", ratio: "—", target: "—" }];
  const alone = result.runs[0]!;
  const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
  return result.runs.slice(1).flatMap((run) => [
    {
      section,
      figure: `${run.name}: webhooks/s answered at ${run.offeredPerSec}/s offered (answer p99)`,
      switchboard: `${run.sustainedPerSec} (${ms(run.answerMs.p99)} ms)`,
      baseline: `${alone.name}: ${alone.sustainedPerSec} (${ms(alone.answerMs.p99)} ms)`,
      ratio: String(ratio(run.sustainedPerSec, alone.sustainedPerSec)),
      target: "—",
    },
    {
      section,
      figure: `${run.name}: gateway CPU per webhook, all processes (each process's CPU share); Redis's; Twilio calls per webhook`,
      switchboard: `${ms(run.gatewayCpuMsPerWebhook)} ms (${run.instanceCpuShares.join(" + ")})${run.redisCpuMsPerWebhook !== undefined ? `; Redis ${ms(run.redisCpuMsPerWebhook)} ms` : ""}; ${run.twilioCallsPerWebhook}`,
      baseline: `${ms(alone.gatewayCpuMsPerWebhook)} ms (${alone.instanceCpuShares.join("")}); ${alone.twilioCallsPerWebhook}`,
      ratio: String(ratio(run.gatewayCpuMsPerWebhook, alone.gatewayCpuMsPerWebhook)),
      target: "—",
    },
    {
      section,
      figure: `${run.name}: delivery p50 / p99 (deliveries / expected); load generator's CPU share`,
      switchboard: `${ms(run.deliveryMs.p50)} / ${ms(run.deliveryMs.p99)} ms (${run.deliveries} / ${run.expectedDeliveries}); ${run.clientCpuShare}`,
      baseline: `${ms(alone.deliveryMs.p50)} / ${ms(alone.deliveryMs.p99)} ms (${alone.deliveries} / ${alone.expectedDeliveries}); ${alone.clientCpuShare}`,
      ratio: `${ratio(run.deliveryMs.p50, alone.deliveryMs.p50)} / ${ratio(run.deliveryMs.p99, alone.deliveryMs.p99)}`,
      target: "—",
    },
  ]);
}
