import { Agent, request as httpRequest } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Socket } from "socket.io-client";
import { BENCH_SEQ_HEADER } from "./arrival-clock.js";
import { cpuProfileDir, startCpuProfile } from "./cpu-profile.js";
import { wallClockMs } from "./latency-stats.js";
import { LeanChatSocket } from "./lean-chat-socket.js";
import { openChatSocket, subscribeChatSocket, type SocketClientKind } from "./open-chat-socket.js";
import { serveParent } from "./worker-process.js";

/** One webhook of a drive: its form body and signature, and the message it announces. */
export interface PlannedWebhook {
  body: string;
  signature: string;
  messageSid: string;
}

export type SocketWorkerRequest =
  | {
      type: "connect";
      baseUrl: string;
      token: string;
      sockets: number;
      conversations: string[];
      conversationFeed?: string;
      /** Which client holds the sockets (default `lean`: see lean-chat-socket.ts). */
      client?: SocketClientKind;
    }
  | {
      type: "drive";
      /** Several take turns (webhook k goes to url[k % n]), as behind a round-robin load balancer. */
      url: string | string[];
      ratePerSec: number;
      webhooks: PlannedWebhook[];
      expectedDeliveries: number;
      /** With BENCH_CPU_PROFILE_DIR set: profile this process during the drive, written as `<profileName>.cpuprofile`. */
      profileName?: string;
    }
  | { type: "disconnect" };

export interface ConnectReply {
  connectMs: number;
}

export interface DriveReply {
  sent: number;
  firstSendMs: number;
  lastSendMs: number;
  lastResponseMs: number;
  statuses: Record<string, number>;
  /** Per webhook: send → full answer, ms. */
  responseMs: Float64Array;
  /** Per delivery of message:received: the webhook's number and the receipt time (wall clock ms). */
  receiptSeq: Int32Array;
  receiptAt: Float64Array;
  /** conversation:updated events received by all sockets during the drive. */
  conversationUpdates: number;
  /** conversations:updated events (batches of the `batched` tenant feed) received by all sockets during the drive. */
  conversationBatches: number;
  /** This process's CPU time during the drive ÷ wall time (1.0 = one core busy). */
  cpuShare: number;
  /** Bytes of WebSocket frames all sockets received during the drive (the lean client counts them; socket.io-client: undefined). */
  receivedBytes?: number;
  /** Sockets that were no longer connected at the end of the drive. */
  disconnected: number;
  /**
   * This process's event-loop delay during the drive, ms (p99, max): how late it could have been to stamp a frame that
   * had arrived. Small beside the delivery p99, the latency is the server's, not a queue in the load generator.
   */
  loopDelayMs: { p99: number; max: number };
}

/** One held socket, whichever client holds it. */
interface HeldSocket {
  close(): void;
  readonly connected: boolean;
  /** Bytes received so far (lean client only). */
  readonly bytes?: number;
}

let sockets: HeldSocket[] = [];
let onReceipt: (sid: string) => void = () => undefined;
let conversationUpdates = 0;
let conversationBatches = 0;

/** A socket.io-client socket: every frame decoded, as a browser's socket.io-client would. */
async function openSocketIo(request: Extract<SocketWorkerRequest, { type: "connect" }>, conversationSid: string): Promise<HeldSocket> {
  const socket: Socket = await openChatSocket(request.baseUrl, request.token, request.conversationFeed);
  socket.on("message:received", (payload: { message: { sid: string } }) => onReceipt(payload.message.sid));
  socket.on("conversation:updated", () => void conversationUpdates++);
  socket.on("conversations:updated", () => void conversationBatches++);
  await subscribeChatSocket(socket, conversationSid);
  return socket;
}

/**
 * A lean socket: only `message:received` (the measured event) is parsed, on the frame's arrival; the tenant feed's
 * frames are counted by name from their first bytes.
 */
async function openLean(request: Extract<SocketWorkerRequest, { type: "connect" }>, conversationSid: string): Promise<HeldSocket> {
  const socket = await LeanChatSocket.connect(request.baseUrl, { token: request.token, ...(request.conversationFeed ? { conversationFeed: request.conversationFeed } : {}) });
  socket.on("message:received", (payload) => onReceipt((payload as { message: { sid: string } }).message.sid));
  socket.onEvent = (name) => {
    if (name === "conversation:updated") conversationUpdates++;
    else if (name === "conversations:updated") conversationBatches++;
  };
  const reply = (await socket.emitWithAck("subscribe:conversation", { conversationSid })) as { error?: { message: string } };
  if (reply.error) throw new Error(`subscribe: ${reply.error.message}`);
  return socket;
}

async function connect(request: Extract<SocketWorkerRequest, { type: "connect" }>): Promise<ConnectReply> {
  const started = performance.now();
  const openOne = request.client === "socket.io" ? openSocketIo : openLean;
  const open = (i: number) => openOne(request, request.conversations[i % request.conversations.length]!);
  for (let i = 0; i < request.sockets; i += 50) {
    const batch = Array.from({ length: Math.min(50, request.sockets - i) }, (_, k) => open(i + k));
    sockets.push(...(await Promise.all(batch)));
  }
  return { connectMs: performance.now() - started };
}

const receivedBytes = () => sockets.reduce((sum, socket) => sum + (socket.bytes ?? NaN), 0);

/** Open loop: webhook k is sent at k / rate seconds, whatever the answers do (as Twilio would). */
async function drive(request: Extract<SocketWorkerRequest, { type: "drive" }>): Promise<DriveReply> {
  const { webhooks } = request;
  const urls = [request.url].flat().map((url) => new URL(url));
  const agent = new Agent({ keepAlive: true, maxSockets: 1000 });
  const seqBySid = new Map(webhooks.map((w, i) => [w.messageSid, i]));
  const receiptSeq = new Int32Array(request.expectedDeliveries * 2);
  const receiptAt = new Float64Array(request.expectedDeliveries * 2);
  let receipts = 0;
  let lastReceipt = 0;
  onReceipt = (sid) => {
    const seq = seqBySid.get(sid);
    if (seq === undefined || receipts >= receiptSeq.length) return;
    receiptSeq[receipts] = seq;
    receiptAt[receipts++] = wallClockMs();
    lastReceipt = performance.now();
  };
  conversationUpdates = 0;
  conversationBatches = 0;
  const responseMs = new Float64Array(webhooks.length).fill(NaN);
  const statuses: Record<string, number> = {};
  let answered = 0;
  let lastResponseMs = 0;
  const count = (status: string) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    answered++;
    lastResponseMs = wallClockMs();
  };
  const send = (seq: number) => {
    const webhook = webhooks[seq]!;
    const url = urls[seq % urls.length]!;
    const sentAt = performance.now();
    const outgoing = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded; charset=utf-8",
          "content-length": Buffer.byteLength(webhook.body),
          "x-twilio-signature": webhook.signature,
          [BENCH_SEQ_HEADER]: String(seq),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => {
          responseMs[seq] = performance.now() - sentAt;
          count(String(response.statusCode));
        });
      },
    );
    outgoing.on("error", (error: Error & { code?: string }) =>
      count(`error ${error.code ?? error.message}${outgoing.reusedSocket ? " (reused keep-alive socket)" : ""}`),
    );
    outgoing.end(webhook.body);
  };

  const bytesBefore = receivedBytes();
  const profileDir = request.profileName ? cpuProfileDir() : undefined;
  const profile = profileDir ? await startCpuProfile(profileDir, request.profileName!) : undefined;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const firstSendMs = wallClockMs();
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(webhooks.length, Math.floor(((performance.now() - start) * request.ratePerSec) / 1000) + 1);
      while (sent < due) send(sent++);
      if (sent < webhooks.length) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const lastSendMs = wallClockMs();
  // Wait for every answer, then for the deliveries still in flight (at most 3 s without a new one).
  const deadline = performance.now() + 120_000;
  while (answered < webhooks.length && performance.now() < deadline) await sleep(20);
  while (
    receipts < request.expectedDeliveries &&
    performance.now() - Math.max(lastReceipt, start) < 3000 &&
    performance.now() < deadline
  )
    await sleep(20);
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  await profile?.stop();
  const loopDelayMs = { p99: Math.round(loopDelay.percentile(99) / 1e4) / 100, max: Math.round(loopDelay.max / 1e4) / 100 };
  const cpuShare = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100) / 100;
  agent.destroy();
  onReceipt = () => undefined;
  return {
    sent,
    firstSendMs,
    lastSendMs,
    lastResponseMs,
    statuses,
    responseMs,
    receiptSeq: receiptSeq.slice(0, receipts),
    receiptAt: receiptAt.slice(0, receipts),
    conversationUpdates,
    conversationBatches,
    cpuShare,
    ...(Number.isNaN(bytesBefore) ? {} : { receivedBytes: receivedBytes() - bytesBefore }),
    disconnected: sockets.filter((socket) => !socket.connected).length,
    loopDelayMs,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

serveParent(async (request: SocketWorkerRequest) => {
  switch (request.type) {
    case "connect":
      return connect(request);
    case "drive":
      return drive(request);
    case "disconnect":
      for (const socket of sockets) socket.close();
      sockets = [];
      return {};
  }
});
