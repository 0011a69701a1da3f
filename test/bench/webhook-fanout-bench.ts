import { CONVERSATION_WEBHOOK_PATH } from "../../src/webhooks/register-webhooks.js";
import twilio from "twilio";
import { ArrivalClock } from "./arrival-clock.js";
import type { GatewayProcessRequest } from "./gateway-process-worker.js";
import { timedGet } from "./timed-get.js";
import { BARE_WEBHOOK_PATH, startBareSocketServer } from "./bare-socket-server.js";
import type { BenchGateway } from "./bench-gateway.js";
import { cpuProfileDir, profiled } from "./cpu-profile.js";
import type { BenchSettings } from "./bench-settings.js";
import { latencyStats, ratio, type LatencyStats } from "./latency-stats.js";
import { driveOutcome, type DriveOutcome } from "./drive-outcome.js";
import type { SeededInbox } from "./seed-bench-tenants.js";
import type { ConnectReply, DriveReply, SocketWorkerRequest } from "./socket-load-worker.js";
import { planWebhooks, type WebhookPlan } from "./webhook-plan.js";
import { WorkerProcess } from "./worker-process.js";

export interface FanoutRun extends DriveOutcome {
  server: "switchboard" | "switchboard, own process" | "bare Socket.IO";
  sockets: number;
  webhooks: number;
  offeredPerSec: number;
  /** What the load generator managed to send (should equal the offered rate). */
  sentPerSec: number;
  /** Webhooks that reached the server, and their rate (first → last arrival): the load the deliveries were under. */
  arrived: number;
  arrivedPerSec: number;
  expectedDeliveries: number;
  conversationUpdates: number;
  conversationBatches: number;
  connectMs: number;
  /** Server-process CPU time during the drive ÷ wall time (1.0 = one core busy). */
  serverCpuShare: number;
  /** Server-process CPU time during the drive ÷ webhooks: what one webhook costs the server (any machine load). */
  serverCpuMsPerWebhook: number;
  /** The same for the load generator's process (sender + sockets). */
  clientCpuShare: number;
  /** The client holding the sockets, the bytes its sockets received during the drive (lean only), and sockets dropped. */
  socketClient: "lean" | "socket.io";
  receivedBytes?: number;
  disconnected: number;
  /** The load generator's event-loop delay during the drive (p99, max), ms. */
  clientLoopDelayMs: { p99: number; max: number };
  /** Gateway in its own process: the bench process's CPU per webhook meanwhile (the emulator, mostly), ms. */
  emulatorCpuMsPerWebhook?: number;
  upstreamCalls?: number;
  /** Gateway-measured duration of those calls (queueing in the gateway's upstream guard included). */
  upstreamMs?: LatencyStats;
}

export interface FanoutResult {
  mode: "isolated" | "with echo";
  sockets: number;
  conversations: number;
  switchboard: FanoutRun;
  /** The gateway in a process of its own (the emulator stays in the bench's): its CPU per webhook is its own. */
  ownProcess?: FanoutRun;
  ownProcessCpuPerWebhookRatio?: number;
  /** The own-process run again with every socket on another tenant feed (`auth.conversationFeed`). */
  feeds?: Array<{ feed: "batched" | "none"; run: FanoutRun; cpuPerWebhookRatio: number }>;
  /** The better of `baselineRuns` (more sustained, then lower delivery p99). */
  baseline: FanoutRun;
  baselineRuns: FanoutRun[];
  sustainedRatio: number;
  deliveryP50Ratio: number;
  deliveryP99Ratio: number;
  cpuPerWebhookRatio: number;
}

interface RunTarget {
  server: FanoutRun["server"];
  baseUrl: string;
  webhookUrl: string;
  token: string;
  /** Where the server stamps each numbered webhook's arrival (in this process or the server's own). */
  arrivals: { reset(count: number): Promise<void> | void; snapshot(): Promise<ArrivalClock> | ArrivalClock };
  /** The server's CPU time so far, µs (default: this process's). */
  serverCpuMicros?: () => Promise<number>;
  upstreamCalls?: () => number;
  upstreamDurations?: () => number[];
  settle?: () => Promise<void>;
  /** First drive one second of the plan, unmeasured (JIT, connections); only for a server without dedupe. */
  warmUp?: boolean;
  /** The sockets' tenant feed (default: the server's, `each`). */
  conversationFeed?: "batched" | "none";
  /** Webhooks of fresh messages driven first, unmeasured, so a server with dedupe starts the measured drive warm. */
  warmUpPlan?: WebhookPlan;
  /** A server in another process profiles itself (with BENCH_CPU_PROFILE_DIR) while the drive runs. */
  ownProfile?: { start(name: string): Promise<void>; stop(): Promise<void> };
}

async function runOnce(
  worker: WorkerProcess,
  target: RunTarget,
  plan: WebhookPlan,
  sockets: number,
  conversations: string[],
  settings: BenchSettings,
  /** Names the CPU profiles of this run apart from the other mode's. */
  mode: FanoutResult["mode"] = "isolated",
): Promise<FanoutRun> {
  const subscribers = conversations.map(
    (_, c) => Math.floor(sockets / conversations.length) + (c < sockets % conversations.length ? 1 : 0),
  );
  const deliveriesOf = (conversationOf: number[]) => conversationOf.reduce((sum, c) => sum + subscribers[c]!, 0);
  const expectedDeliveries = deliveriesOf(plan.conversationOf);
  const connected = await worker.request<ConnectReply>({
    type: "connect",
    baseUrl: target.baseUrl,
    token: target.token,
    sockets,
    conversations,
    ...(target.conversationFeed ? { conversationFeed: target.conversationFeed } : {}),
    client: settings.socketClient,
  } satisfies SocketWorkerRequest);
  if (target.warmUp) {
    const count = Math.min(plan.webhooks.length, settings.webhookRate);
    const webhooks = plan.webhooks.slice(0, count);
    const expected = deliveriesOf(plan.conversationOf.slice(0, count));
    const warmUp: SocketWorkerRequest = {
      type: "drive",
      url: target.webhookUrl,
      ratePerSec: settings.webhookRate,
      webhooks,
      expectedDeliveries: expected,
    };
    await worker.request<DriveReply>(warmUp);
  }
  if (target.warmUpPlan) {
    const warmUp: SocketWorkerRequest = {
      type: "drive",
      url: target.webhookUrl,
      ratePerSec: settings.webhookRate,
      webhooks: target.warmUpPlan.webhooks,
      expectedDeliveries: deliveriesOf(target.warmUpPlan.conversationOf),
    };
    await worker.request<DriveReply>(warmUp);
    await target.settle?.();
  }
  await target.arrivals.reset(plan.webhooks.length);
  const callsBefore = target.upstreamCalls?.() ?? 0;
  const durationsBefore = target.upstreamDurations?.().length ?? 0;
  const serverCpuBefore = await target.serverCpuMicros?.();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const drive = {
    type: "drive",
    url: target.webhookUrl,
    ratePerSec: settings.webhookRate,
    webhooks: plan.webhooks,
    expectedDeliveries,
  } satisfies SocketWorkerRequest;
  const profileName = `${target.server} ${sockets} sockets${mode === "isolated" ? "" : ` ${mode}`}${target.conversationFeed ? ` ${target.conversationFeed} feed` : ""}`;
  if (target.ownProfile && cpuProfileDir()) await target.ownProfile.start(`${profileName} (gateway)`);
  const reply = await profiled(
    target.ownProfile ? `${profileName} (emulator)` : profileName,
    () => worker.request<DriveReply>({ ...drive, profileName: `${profileName} (load generator, ${settings.socketClient} client)` }),
  ).finally(() => (target.ownProfile && cpuProfileDir() ? target.ownProfile.stop() : undefined));
  const localCpu = process.cpuUsage(cpuBefore);
  const serverMicros = serverCpuBefore !== undefined ? (await target.serverCpuMicros!()) - serverCpuBefore : localCpu.user + localCpu.system;
  const cpu = { user: serverMicros, system: 0 };
  const serverCpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
  await target.settle?.();
  const upstreamCalls = target.upstreamCalls ? target.upstreamCalls() - callsBefore : undefined;
  const upstreamMs = target.upstreamDurations
    ? latencyStats(target.upstreamDurations().slice(durationsBefore))
    : undefined;
  await worker.request({ type: "disconnect" } satisfies SocketWorkerRequest);

  const clock = await target.arrivals.snapshot();
  const arrivals = clock.summary();
  return {
    server: target.server,
    sockets,
    webhooks: plan.webhooks.length,
    offeredPerSec: settings.webhookRate,
    sentPerSec: Math.round(reply.sent / ((reply.lastSendMs - reply.firstSendMs) / 1000 || 1)),
    arrived: arrivals.arrived,
    arrivedPerSec: arrivals.perSec,
    ...driveOutcome(reply, (seq) => clock.at(seq)),
    expectedDeliveries,
    conversationUpdates: reply.conversationUpdates,
    conversationBatches: reply.conversationBatches,
    connectMs: Math.round(connected.connectMs),
    serverCpuShare: Math.round(serverCpuShare * 100) / 100,
    serverCpuMsPerWebhook: Math.round(((cpu.user + cpu.system) / 1000 / plan.webhooks.length) * 100) / 100,
    clientCpuShare: reply.cpuShare,
    socketClient: settings.socketClient,
    ...(reply.receivedBytes !== undefined ? { receivedBytes: reply.receivedBytes } : {}),
    disconnected: reply.disconnected,
    clientLoopDelayMs: reply.loopDelayMs,
    ...(serverCpuBefore !== undefined
      ? { emulatorCpuMsPerWebhook: Math.round(((localCpu.user + localCpu.system) / 1000 / plan.webhooks.length) * 100) / 100 }
      : {}),
    ...(upstreamCalls !== undefined ? { upstreamCalls } : {}),
    ...(upstreamMs ? { upstreamMs } : {}),
  };
}

function better(a: FanoutRun, b: FanoutRun): FanoutRun {
  if (Math.abs(a.sustainedPerSec - b.sustainedPerSec) > 0.02 * Math.max(a.sustainedPerSec, b.sustainedPerSec))
    return a.sustainedPerSec > b.sustainedPerSec ? a : b;
  return a.deliveryMs.p99 <= b.deliveryMs.p99 ? a : b;
}

/**
 * Webhook → socket: `sockets` clients (in a child process, with the webhook sender) subscribed across
 * `socketConversations` conversations; signed onMessageAdded webhooks for real emulator messages at a fixed rate;
 * the same load against a bare Socket.IO server. `isolated` keeps Twilio's onConversationUpdated echo of the
 * gateway's own attribute writes away from the gateway; `with echo` lets it through, as in production.
 */
export async function benchWebhookFanout(
  gateway: BenchGateway,
  seeded: SeededInbox,
  settings: BenchSettings,
): Promise<FanoutResult[]> {
  const conversations = seeded.alpha.slice(0, settings.socketConversations).map((c) => c.sid);
  // The echo run drains slowly (three upstream calls per message): it drives for at most 2 s.
  const countFor = (mode: FanoutResult["mode"]) =>
    settings.webhookRate * (mode === "with echo" ? Math.min(2, settings.webhookSeconds) : settings.webhookSeconds);
  const worker = new WorkerProcess(new URL("./socket-load-worker.ts", import.meta.url));
  const gatewayTarget: RunTarget = {
    server: "switchboard",
    baseUrl: gateway.baseUrl,
    webhookUrl: `${gateway.baseUrl}${CONVERSATION_WEBHOOK_PATH}`,
    token: gateway.token("alpha"),
    arrivals: { reset: (count) => gateway.arrivals.reset(count), snapshot: () => gateway.arrivals },
    upstreamCalls: () => gateway.emulator.requests.count(),
    upstreamDurations: () => gateway.upstream.durationsMs,
    settle: () => gateway.quiesce(200),
  };
  // The same gateway in a process of its own, on the same emulator and tenants (started once, warmed by a list read).
  const ownProcess = new WorkerProcess(new URL("./gateway-process-worker.ts", import.meta.url));
  const { baseUrl: ownBaseUrl } = await ownProcess.request<{ baseUrl: string }>({
    type: "start",
    emulatorBaseUrl: gateway.emulator.baseUrl,
    tenants: gateway.tenants,
  } satisfies GatewayProcessRequest);
  await timedGet(`${ownBaseUrl}/api/v1/chat/conversations?limit=100`, { authorization: `Bearer ${gateway.token("alpha")}` });
  const ownTarget: RunTarget = {
    server: "switchboard, own process",
    baseUrl: ownBaseUrl,
    webhookUrl: `${ownBaseUrl}${CONVERSATION_WEBHOOK_PATH}`,
    token: gateway.token("alpha"),
    arrivals: {
      reset: async (count) => void (await ownProcess.request({ type: "reset-arrivals", count } satisfies GatewayProcessRequest)),
      snapshot: async () => ArrivalClock.of((await ownProcess.request<{ times: Float64Array }>({ type: "arrivals" } satisfies GatewayProcessRequest)).times),
    },
    serverCpuMicros: async () => {
      const usage = await ownProcess.request<NodeJS.CpuUsage>({ type: "cpu" } satisfies GatewayProcessRequest);
      return usage.user + usage.system;
    },
    upstreamCalls: () => gateway.emulator.requests.count(),
    settle: () => gateway.quiesce(200),
    ownProfile: {
      start: async (name) => void (await ownProcess.request({ type: "profile-start", dir: cpuProfileDir()!, name } satisfies GatewayProcessRequest)),
      stop: async () => void (await ownProcess.request({ type: "profile-stop" } satisfies GatewayProcessRequest)),
    },
  };
  const results: FanoutResult[] = [];
  const runs: Array<{ mode: FanoutResult["mode"]; sockets: number }> = settings.socketCounts.map((sockets) => ({
    mode: "isolated",
    sockets,
  }));
  if (settings.echoRun) runs.push({ mode: "with echo", sockets: Math.min(...settings.socketCounts) });
  try {
    for (const { mode, sockets } of runs) {
      const plan = await planWebhooks(gateway, seeded, countFor(mode), conversations.length);
      const bareRun = async (warmUp: boolean) => {
        const bare = await startBareSocketServer();
        try {
          const target = {
            server: "bare Socket.IO",
            baseUrl: bare.baseUrl,
            webhookUrl: `${bare.baseUrl}${BARE_WEBHOOK_PATH}`,
            token: "",
            arrivals: { reset: (count: number) => bare.arrivals.reset(count), snapshot: () => bare.arrivals },
            warmUp,
          } as const;
          return await runOnce(worker, target, plan, sockets, conversations, settings, mode);
        } finally {
          await bare.close();
        }
      };
      // The baseline runs before (after a warm-up) and after the gateway: the better of the two is what this rig
      // can do while other processes share the machine.
      const before = await bareRun(true);
      await gateway.routeWebhooks(mode === "isolated" ? "gateway-without-echo" : "gateway");
      gateway.emulator.requests.clear();
      const switchboard = await runOnce(worker, gatewayTarget, plan, sockets, conversations, settings, mode);
      gateway.emulator.requests.clear();
      // The same webhooks, signed for the other process's URL, after one second of fresh ones (unmeasured): the
      // process is warm for every run it serves, the first included, as the feed runs after it are.
      const warmUpPlan = resign(await planWebhooks(gateway, seeded, settings.webhookRate, conversations.length), ownTarget.webhookUrl, gateway.tenants.alpha.authToken);
      await gateway.routeWebhooks(mode === "isolated" ? "gateway-without-echo" : "gateway", ownBaseUrl);
      const resigned = resign(plan, ownTarget.webhookUrl, gateway.tenants.alpha.authToken);
      const own = await runOnce(worker, { ...ownTarget, warmUpPlan }, resigned, sockets, conversations, settings, mode);
      // The same load with the sockets on another tenant feed: a fresh plan of new messages (the gateway would answer
      // the same webhooks `duplicate`), made while the webhooks go to a sink, so the route is set again after it.
      const feedRuns: Array<{ feed: "batched" | "none"; run: FanoutRun }> = [];
      for (const feed of settings.extraFeeds) {
        const again = await planWebhooks(gateway, seeded, countFor(mode), conversations.length);
        await gateway.routeWebhooks(mode === "isolated" ? "gateway-without-echo" : "gateway", ownBaseUrl);
        gateway.emulator.requests.clear();
        const run = await runOnce(worker, { ...ownTarget, conversationFeed: feed }, resign(again, ownTarget.webhookUrl, gateway.tenants.alpha.authToken), sockets, conversations, settings, mode);
        feedRuns.push({ feed, run });
      }
      await gateway.routeWebhooks("off");
      gateway.emulator.requests.clear();
      const after = await bareRun(false);
      const baseline = better(before, after);
      results.push({
        mode,
        sockets,
        conversations: conversations.length,
        switchboard,
        ownProcess: own,
        ownProcessCpuPerWebhookRatio: ratio(own.serverCpuMsPerWebhook, baseline.serverCpuMsPerWebhook),
        feeds: feedRuns.map(({ feed, run }) => ({ feed, run, cpuPerWebhookRatio: ratio(run.serverCpuMsPerWebhook, baseline.serverCpuMsPerWebhook) })),
        baseline,
        baselineRuns: [before, after],
        sustainedRatio: ratio(switchboard.sustainedPerSec, baseline.sustainedPerSec),
        deliveryP50Ratio: ratio(switchboard.deliveryMs.p50, baseline.deliveryMs.p50),
        deliveryP99Ratio: ratio(switchboard.deliveryMs.p99, baseline.deliveryMs.p99),
        cpuPerWebhookRatio: ratio(switchboard.serverCpuMsPerWebhook, baseline.serverCpuMsPerWebhook),
      });
    }
  } finally {
    await worker.close();
    await ownProcess.request({ type: "stop" } satisfies GatewayProcessRequest).catch(() => undefined);
    await ownProcess.close();
    await gateway.routeWebhooks("gateway");
  }
  return results;
}

/** The plan's webhooks signed for another URL, as Twilio would sign them for it. */
export function resign(plan: WebhookPlan, url: string, authToken: string): WebhookPlan {
  return {
    ...plan,
    webhooks: plan.webhooks.map((webhook) => ({
      ...webhook,
      signature: twilio.getExpectedTwilioSignature(authToken, url, Object.fromEntries(new URLSearchParams(webhook.body))),
    })),
  };
}
