import type { IncomingMessage, ServerResponse } from "node:http";
import { Server } from "socket.io";
import { ArrivalClock } from "./arrival-clock.js";
import { listenOnLoopback, type LoopbackServer } from "./listen-on-loopback.js";

export const BARE_WEBHOOK_PATH = "/webhook";

export interface BareSocketServer extends LoopbackServer {
  arrivals: ArrivalClock;
}

/**
 * The webhook → socket baseline: a bare Socket.IO server (defaults, namespace /chat) whose clients join a room
 * with the same `subscribe:conversation` ack, and a plain HTTP POST that broadcasts the webhook's message to the
 * room, in the gateway's payload shape. No signature check, no dedupe, no bookkeeping, no auth.
 */
export async function startBareSocketServer(): Promise<BareSocketServer> {
  const arrivals = new ArrivalClock();
  let io: Server | undefined;
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== "POST" || request.url !== BARE_WEBHOOK_PATH) {
      response.writeHead(404).end();
      return;
    }
    arrivals.stamp(request);
    let raw = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (raw += chunk));
    request.on("end", () => {
      const form = new URLSearchParams(raw);
      const conversationSid = form.get("ConversationSid") ?? "";
      const dateCreated = new Date(form.get("DateCreated") ?? Date.now()).toISOString();
      const message = {
        sid: form.get("MessageSid"),
        conversationSid,
        index: Number(form.get("Index") ?? 0),
        author: form.get("Author"),
        body: form.get("Body"),
        attributes: form.get("Attributes") ?? "{}",
        participantSid: form.get("ParticipantSid"),
        delivery: null,
        dateCreated,
        dateUpdated: dateCreated,
      };
      io!.of("/chat").to(`conversation:${conversationSid}`).emit("message:received", { conversationSid, message });
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"applied"}');
    });
  };
  const loopback = await listenOnLoopback();
  loopback.server.on("request", onRequest);
  io = new Server(loopback.server, { serveClient: false });
  io.of("/chat").on("connection", (socket) => {
    socket.on("subscribe:conversation", (payload: { conversationSid: string }, ack?: (reply: unknown) => void) => {
      void socket.join(`conversation:${payload.conversationSid}`);
      ack?.({ data: { conversationSid: payload.conversationSid } });
    });
  });
  return {
    ...loopback,
    arrivals,
    close: async () => {
      await new Promise<void>((resolve) => io!.close(() => resolve()));
      await loopback.close().catch(() => undefined);
    },
  };
}
