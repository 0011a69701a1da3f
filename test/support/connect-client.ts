import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../src/realtime/chat-events.js";

export type ChatClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io-client on namespace /chat, connected (or rejected) before it resolves. */
export function connectClient(baseUrl: string, auth: { token?: string; tenantId?: string; conversationFeed?: string }): Promise<ChatClient> {
  const socket: ChatClient = io(`${baseUrl}/chat`, { auth, transports: ["websocket"], reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Everything a client received, per event, in order (attach before acting). */
export function recordEvents(socket: ChatClient) {
  const received: Array<{ event: string; payload: any }> = [];
  socket.onAny((event, payload) => received.push({ event, payload }));
  return {
    received,
    of: (event: keyof ServerToClientEvents) => received.filter((entry) => entry.event === event).map((entry) => entry.payload),
    /**
     * What was received besides the tenant-wide conversation:updated, which an earlier change can still send late
     * (it is coalesced per REALTIME_CONVERSATION_UPDATE_MS).
     */
    besidesConversationUpdates: () => received.filter((entry) => entry.event !== "conversation:updated"),
  };
}

/**
 * Resolves with the next `event` whose payload satisfies `match`, or rejects after `timeoutMs`: on any namespace's
 * socket (`/chat`, `/`, organization live), whatever its event names.
 */
export function nextEvent(socket: Socket, event: string, match: (payload: any) => boolean = () => true, timeoutMs = 3000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: any) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Subscribes and returns the ack. */
export function subscribe(socket: ChatClient, conversationSid: string): Promise<any> {
  return socket.timeout(3000).emitWithAck("subscribe:conversation", { conversationSid });
}

/** Lets in-flight socket packets land. */
export const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));
