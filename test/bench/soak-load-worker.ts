import type { Socket } from "socket.io-client";
import { wallClockMs } from "./latency-stats.js";
import { openChatSocket, subscribeChatSocket } from "./open-chat-socket.js";
import { serveParent } from "./worker-process.js";

/** The REST calls of the soak's mix (inbound SMS are driven by the parent, where the emulator runs). */
export const SOAK_KINDS = ["list", "get", "messages", "send", "patch", "search"] as const;
export type SoakKind = (typeof SOAK_KINDS)[number];

export type SoakWorkerRequest =
  | { type: "connect"; baseUrl: string; token: string; sockets: number; conversations: string[] }
  | {
      type: "drive";
      baseUrl: string;
      token: string;
      durationMs: number;
      ratePerSec: number;
      /** Share of each kind (normalised). */
      mix: Record<SoakKind, number>;
      conversations: string[];
      /** Requests in flight at most; an arrival beyond it is shed (counted, not sent). */
      maxInFlight: number;
    }
  | { type: "report" }
  | { type: "disconnect" };

/** One answered (or failed) request: times on the shared wall clock. */
export interface SoakRecord {
  kind: SoakKind;
  startMs: number;
  endMs: number;
  /** 0 when no HTTP answer came (connection dropped, timeout). */
  status: number;
  retryAfter: string | null;
  error?: string;
}

export interface DriveReply {
  records: SoakRecord[];
  shed: number;
  firstSendMs: number;
  lastEndMs: number;
  cpuShare: number;
}

export interface SocketReport {
  connected: number;
  /** message:received: the message SID and when (wall clock), per socket delivery. */
  received: Array<{ sid: string; atMs: number }>;
  conversationUpdates: number;
  disconnects: Array<{ socket: number; reason: string; atMs: number }>;
  errors: string[];
}

let sockets: Socket[] = [];
const received: SocketReport["received"] = [];
const disconnects: SocketReport["disconnects"] = [];
const socketErrors: string[] = [];
let conversationUpdates = 0;
let closing = false;

async function connect(request: Extract<SoakWorkerRequest, { type: "connect" }>): Promise<{ connectMs: number }> {
  const started = performance.now();
  for (let i = 0; i < request.sockets; i++) {
    const socket = await openChatSocket(request.baseUrl, request.token);
    socket.on("message:received", (payload: { message: { sid: string } }) =>
      received.push({ sid: payload.message.sid, atMs: wallClockMs() }),
    );
    socket.on("conversation:updated", () => void conversationUpdates++);
    socket.on("disconnect", (reason) => {
      if (!closing) disconnects.push({ socket: i, reason, atMs: wallClockMs() });
    });
    socket.on("connect_error", (error) => socketErrors.push(`socket ${i}: ${error.message}`));
    await subscribeChatSocket(socket, request.conversations[i % request.conversations.length]!);
    sockets.push(socket);
  }
  return { connectMs: performance.now() - started };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** The request of one arrival of `kind`: every one valid, so anything but 2xx (or an outage 503) is a finding. */
function requestFor(kind: SoakKind, conversations: string[], seq: number): { path: string; init: RequestInit } {
  const sid = pick(conversations);
  const base = "/api/v1/chat/conversations";
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  switch (kind) {
    case "list":
      return {
        path: pick([
          `${base}?limit=50`,
          `${base}?limit=50`,
          `${base}?limit=20&offset=50`,
          `${base}?filter=unread&limit=50`,
          `${base}?filter=starred`,
          `${base}?search=${encodeURIComponent(`customer ${seq % 200}`)}`,
        ]),
        init: { method: "GET" },
      };
    case "get":
      return { path: `${base}/${sid}`, init: { method: "GET" } };
    case "messages":
      return { path: `${base}/${sid}/messages?limit=${pick([20, 50])}`, init: { method: "GET" } };
    case "send":
      return {
        path: `${base}/${sid}/messages`,
        init: json("POST", { body: `Soak reply ${seq}: we are looking into your order and will get back to you shortly.` }),
      };
    case "patch":
      return {
        path: `${base}/${sid}/attributes`,
        init: json("PATCH", pick([{ isStarred: seq % 2 === 0 }, { unreadCount: 0 }, { isStarred: false }])),
      };
    case "search":
      // Seed 003's message search: the first one builds the tenant's index, webhooks keep it current.
      return { path: `/api/v1/conversations/alpha/search?q=${pick(["order", "parcel", "reply", "shortly"])}`, init: { method: "GET" } };
  }
}

/** Open loop at `ratePerSec`: arrival k leaves at k / rate seconds, kind drawn from the mix. */
async function drive(request: Extract<SoakWorkerRequest, { type: "drive" }>): Promise<DriveReply> {
  const kinds = SOAK_KINDS.filter((kind) => request.mix[kind] > 0);
  const total = kinds.reduce((sum, kind) => sum + request.mix[kind], 0);
  const drawKind = (): SoakKind => {
    let r = Math.random() * total;
    for (const kind of kinds) if ((r -= request.mix[kind]) < 0) return kind;
    return kinds[kinds.length - 1]!;
  };
  const records: SoakRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let shed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const firstSendMs = wallClockMs();
  const count = Math.floor((request.durationMs / 1000) * request.ratePerSec);
  let lastProgress = started;

  const send = async (kind: SoakKind, seq: number) => {
    const { path, init } = requestFor(kind, request.conversations, seq);
    const startMs = wallClockMs();
    try {
      const response = await fetch(`${request.baseUrl}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${request.token}` },
        signal: AbortSignal.timeout(90_000),
      });
      await response.arrayBuffer();
      records.push({
        kind,
        startMs,
        endMs: wallClockMs(),
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      records.push({
        kind,
        startMs,
        endMs: wallClockMs(),
        status: 0,
        retryAfter: null,
        error: `${(error as Error).name}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      });
    }
  };

  for (let k = 0; k < count; k++) {
    const due = started + (k * 1000) / request.ratePerSec;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= request.maxInFlight) {
      shed++;
      continue;
    }
    const promise = send(drawKind(), k).finally(() => inFlight.delete(promise));
    inFlight.add(promise);
    if (performance.now() - lastProgress >= 30_000) {
      lastProgress = performance.now();
      const failed = records.filter((r) => r.status === 0 || r.status >= 400).length;
      process.stderr.write(
        `[soak worker] ${((lastProgress - started) / 1000).toFixed(0)} s: ${records.length} answered, ${failed} not 2xx, ${inFlight.size} in flight, ${shed} shed\n`,
      );
    }
  }
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    records,
    shed,
    firstSendMs,
    lastEndMs: wallClockMs(),
    cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - started)) * 100) / 100,
  };
}

serveParent(async (message: SoakWorkerRequest) => {
  switch (message.type) {
    case "connect":
      return connect(message);
    case "drive":
      return drive(message);
    case "report":
      return {
        connected: sockets.filter((s) => s.connected).length,
        received,
        conversationUpdates,
        disconnects,
        errors: socketErrors,
      } satisfies SocketReport;
    case "disconnect":
      closing = true;
      for (const socket of sockets) socket.disconnect();
      sockets = [];
      return {};
  }
});
