import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import jwt from "jsonwebtoken";
import { pino } from "pino";
import { createApp, type SwitchboardApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { TwilioEmulator } from "../../src/emulator/index.js";
import { MessageSearchIndex } from "../../src/inbox/message-search-index.js";
import type { TenantInbox } from "../../src/inbox/tenant-inbox.js";
import type { TenantConfig } from "../../src/tenants/tenant-config.js";
import { attachChatSockets } from "../../src/realtime/chat-socket-server.js";
import { registerConversationWebhooks } from "../../src/webhooks/register-webhooks.js";
import type { SocketWorkerRequest } from "./socket-load-worker.js";
import { WorkerProcess } from "./worker-process.js";
import { latencyStats, type LatencyStats } from "./latency-stats.js";
import { timedGet } from "./timed-get.js";

const SECRET = "bench-secret-0123456789-0123456789-abcdef";

export interface LargeTenantResult {
  conversations: number;
  indexLimit: number;
  bootCalls: number;
  /** Registering the webhooks (main.ts does it at boot, per tenant). */
  registerCalls: number;
  /** First boot, nothing cached: the first GET of the list. */
  cold: { ms: number; calls: number };
  /** Until the index is complete (the background fill) — what the list waited for before. */
  fill: { ms: number; calls: number };
  /** After a restart (a new gateway, same Twilio): the first GET again, then the wake-up. */
  restartCold: { ms: number; calls: number };
  /** The organization inbox's list, cold (cache dropped). */
  orgCold: { ms: number; calls: number };
  warm: LatencyStats;
  /** Heap after GC: directory (index + cached entries) per 1,000 conversations; search index per 10,000 messages. */
  memory: { directoryBytes: number; directoryPer1000: number; cacheBytes: number; searchPer10000: number; socketsPer1000: number };
  correctness: { firstPageExact: boolean; wokenFirst: boolean; expected: number; differing: number };
}

const gc: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const BASE_MS = Date.UTC(2023, 0, 1);
const MINUTE = 60_000;

/**
 * A tenant of `conversations` conversations (made through the gateway over two years: each carries the gateway's
 * summary, one customer message, created and last active one minute apart, oldest first), served with the default
 * CONVERSATION_INDEX_LIMIT. Seeded straight into the emulator's store (as many REST creates would take minutes).
 */
function seed(emulator: TwilioEmulator, tenant: TenantConfig, conversations: number): string[] {
  const store = (emulator as unknown as { store: { conversations: Map<string, unknown> } }).store;
  const sids: string[] = [];
  for (let i = 0; i < conversations; i++) {
    const sid = `CH${i.toString(16).padStart(32, "0")}`;
    const at = iso(BASE_MS + i * MINUTE);
    const phone = `+1555${String(i).padStart(7, "0")}`;
    const latestMessage = {
      sid: `IM${i.toString(16).padStart(32, "0")}`, conversationSid: sid, index: 0, author: phone, body: `order ${i}: where is my parcel?`,
      attributes: "{}", participantSid: `MB${i.toString(16).padStart(32, "0")}`, delivery: null, dateCreated: at, dateUpdated: at,
    };
    const participants = [{
      sid: latestMessage.participantSid, conversationSid: sid, identity: null, attributes: "{}",
      messagingBinding: { type: "sms", address: phone, proxyAddress: tenant.phoneNumber }, dateCreated: at, dateUpdated: at,
    }];
    store.conversations.set(sid, {
      sid, accountSid: tenant.accountSid, serviceSid: tenant.conversationsServiceSid, messagingServiceSid: null,
      friendlyName: `Customer ${i}`, uniqueName: null, state: "active", timers: { dateInactive: null, dateClosed: null },
      attributes: JSON.stringify({ unreadCount: 1, channel: "SMS", contactDetails: { phone }, summary: { latestMessage, participants } }),
      dateCreated: new Date(at), dateUpdated: new Date(at), nextIndex: 1, createdBy: "system",
    });
    sids.push(sid);
  }
  return sids;
}

interface Booted {
  app: SwitchboardApp;
  indexLimit: number;
  baseUrl: string;
  /** Upstream calls but the background fill's pages. */
  calls: () => number;
  fillCalls: () => number;
  close(): Promise<void>;
}

async function boot(emulator: TwilioEmulator, tenant: TenantConfig): Promise<Booted> {
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    JWT_SECRET: SECRET,
    TWILIO_API_BASE_URL: emulator.baseUrl,
    UPSTREAM_TIMEOUT_MS: "60000",
    RATE_LIMIT_PER_USER_PER_MINUTE: "0",
    RATE_LIMIT_PER_IP_PER_MINUTE: "0",
    RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE: "0",
  });
  let calls = 0;
  let fillCalls = 0;
  const server: Server = createServer();
  server.keepAliveTimeout = 60_000; // the bench's keep-alive connection idles while the index fills
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = createApp(config, {
    logger: pino({ level: "silent" }),
    tenants: [tenant],
    publicBaseUrl: () => baseUrl,
    audit: () => undefined,
    // Pages after the first (PageToken) are the background fill's: not calls a request waits for.
    onUpstreamCall: (_tenant, event) => void (event.url.includes("PageToken=") ? fillCalls++ : calls++),
  });
  server.on("request", app.callback);
  const realtime = attachChatSockets(server, app);
  return {
    app,
    indexLimit: config.conversationIndexLimit,
    baseUrl,
    calls: () => calls,
    fillCalls: () => fillCalls,
    close: async () => {
      server.closeAllConnections();
      await realtime.close();
    },
  };
}

/** 12 words drawn (deterministically) from a vocabulary of 2,000, and one order number in four messages. */
function sentence(i: number): string {
  const words: string[] = [];
  let x = i * 2654435761;
  for (let w = 0; w < 12; w++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    words.push(`w${(x % 2000).toString(36)}`);
  }
  return i % 4 === 0 ? `${words.join(" ")} order ${100000 + i}` : words.join(" ");
}

/**
 * Heap after GC taken by the search index per 10,000 messages: 50,000 messages of about 12 words (a 2,000-word
 * vocabulary, an order number in one of four) upserted as webhooks upsert them, into an index that counts as built.
 */
function searchIndexBytesPer10000(): number {
  const before = heapAfterGc();
  const search = new MessageSearchIndex({} as TenantInbox, { maxMessages: 1_000_000, concurrency: 1 });
  (search as unknown as { lifecycle: { built: boolean } }).lifecycle.built = true; // counts as built: no Twilio read
  const total = 50_000;
  for (let i = 0; i < total; i++) {
    search.upsert({
      sid: `IM${(i + 1e6).toString(16).padStart(32, "0")}`, conversationSid: `CH${(i % 5000).toString(16).padStart(32, "0")}`, index: i,
      author: "+15550001111", body: sentence(i),
      attributes: "{}", participantSid: null, delivery: null, dateCreated: iso(BASE_MS + i * MINUTE), dateUpdated: iso(BASE_MS + i * MINUTE),
    });
  }
  const bytes = heapAfterGc() - before;
  if (search.stats.documents !== total) throw new Error("the search index did not take every message");
  return (bytes / total) * 10_000;
}

export async function benchLargeTenant(
  options: { conversations: number; latencyMs: number; warmSamples: number },
  log: (message: string) => void,
): Promise<LargeTenantResult> {
  const searchPer10000 = searchIndexBytesPer10000();
  const emulator = await TwilioEmulator.start({ rateLimits: false, webhookRetries: 0 });
  const account = emulator.createAccount({ friendlyName: "large" });
  const tenant: TenantConfig = {
    id: "large",
    accountSid: account.accountSid,
    authToken: account.authToken,
    conversationsServiceSid: account.defaultServiceSid,
    phoneNumber: "+15005550009",
  };
  const sids = seed(emulator, tenant, options.conversations);
  const headers = { authorization: `Bearer ${jwt.sign({ tenants: ["large"] }, SECRET, { algorithm: "HS256", subject: "agent-bench", expiresIn: 3600 })}` };
  const list = async (gateway: Booted) => {
    const response = await timedGet(`${gateway.baseUrl}/api/v1/chat/conversations?limit=50`, headers);
    if (response.status !== 200) throw new Error(`list answered ${response.status}: ${response.body}`);
    return { ms: response.ms, sids: (JSON.parse(response.body.toString()) as Array<{ sid: string }>).map((c) => c.sid) };
  };
  emulator.setFaultPlan({ latencyMs: options.latencyMs });
  try {
    log(`   ${options.conversations.toLocaleString("en-US")} conversations seeded; first boot`);
    const first = await boot(emulator, tenant);
    const bootCalls = first.calls();
    const heapBefore = heapAfterGc();
    const started = performance.now();
    const cold = await list(first);
    const coldCalls = first.calls();
    const directory = first.app.tenants.get("large").directory;
    await directory.settled();
    const fill = { ms: performance.now() - started, calls: first.calls() + first.fillCalls() };
    const directoryBytes = heapAfterGc() - heapBefore;
    const indexLimit = first.indexLimit;
    const warm: number[] = [];
    for (let i = 0; i < options.warmSamples; i++) warm.push((await list(first)).ms);
    const cacheBytes = first.app.cache.stats().bytes;

    // 1,000 sockets (another process holds the clients), each subscribed to one of the 100 newest conversations.
    const worker = new WorkerProcess(new URL("./socket-load-worker.ts", import.meta.url));
    const socketsBefore = heapAfterGc();
    await worker.request({ type: "connect", baseUrl: first.baseUrl, token: headers.authorization.slice(7), sockets: 1000, conversations: sids.slice(-100) } satisfies SocketWorkerRequest);
    const socketsPer1000 = heapAfterGc() - socketsBefore;
    await worker.request({ type: "disconnect" } satisfies SocketWorkerRequest);
    await worker.close();
    await first.close();

    log("   restart: a new gateway on the same Twilio; then a customer writes in a two-year-old conversation");
    const second = await boot(emulator, tenant);
    await registerConversationWebhooks(second.app.tenants, second.baseUrl);
    const registerCalls = second.calls();
    const before = second.calls();
    const restartCold = await list(second);
    const restartCalls = second.calls() - before;
    const old = sids[100]!;
    const posted = await fetch(`${emulator.baseUrl}/v1/Services/${tenant.conversationsServiceSid}/Conversations/${old}/Messages`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${tenant.accountSid}:${tenant.authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-webhook-enabled": "true",
      },
      body: new URLSearchParams({ Author: "+15550000100", Body: "me again, two years later" }).toString(),
    });
    if (posted.status !== 201) throw new Error(`the wake-up message answered ${posted.status}`);
    await emulator.whenIdle();
    // The truth from Twilio's side: every conversation's latest activity as its summary records it, newest first.
    const store = (emulator as unknown as { store: { conversations: Map<string, { sid: string; serviceSid: string; attributes: string; dateUpdated: Date }> } }).store;
    const truth = [...store.conversations.values()]
      .filter((c) => c.serviceSid === tenant.conversationsServiceSid)
      .map((c) => ({ sid: c.sid, ms: Date.parse(JSON.parse(c.attributes).summary?.latestMessage?.dateCreated ?? "") || c.dateUpdated.getTime() }))
      .sort((a, b) => b.ms - a.ms || (a.sid < b.sid ? -1 : 1))
      .slice(0, 50)
      .map((c) => c.sid);
    const shown = (await list(second)).sids;
    const differing = truth.filter((sid, i) => shown[i] !== sid).length;
    // The organization inbox's list, cold again (its cache dropped, as after a restart).
    second.app.cache.clear();
    const orgCalls = second.calls();
    const org = await timedGet(`${second.baseUrl}/api/v1/conversations/large?limit=50`, headers);
    if (org.status !== 200) throw new Error(`the organization inbox answered ${org.status}`);
    const orgCold = { ms: org.ms, calls: second.calls() - orgCalls };
    await second.close();


    return {
      conversations: options.conversations,
      indexLimit,
      bootCalls,
      registerCalls,
      cold: { ms: cold.ms, calls: coldCalls - bootCalls },
      fill: { ms: fill.ms, calls: fill.calls - bootCalls },
      restartCold: { ms: restartCold.ms, calls: restartCalls },
      orgCold,
      warm: latencyStats(warm),
      memory: { directoryBytes, directoryPer1000: (directoryBytes / Math.min(indexLimit, options.conversations)) * 1000, cacheBytes, searchPer10000, socketsPer1000 },
      correctness: { firstPageExact: differing === 0, wokenFirst: shown[0] === old && truth[0] === old, expected: truth.length, differing },
    };
  } finally {
    await emulator.stop();
  }
}
