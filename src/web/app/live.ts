import { effect, signal } from "@preact/signals";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "./api-types.js";
import { loadList, refreshTotals, removeConversation, selectedSid, upsertConversation } from "./inbox-state.js";
import { endSession, renewSession, session, tenantId } from "./session.js";
import { applyReceipt, receiveMessage, refetchThread, setTyping, thread } from "./thread-state.js";
import { markReadIfVisible } from "./read-tracker.js";

type ChatSocket = Socket<ServerToClientEvents & { "session:expired": () => void; "conversation:removed": (p: { conversationSid: string }) => void }, ClientToServerEvents>;

/** `online` while the `/chat` socket is connected; `offline` shows the banner. */
export const connection = signal<"connecting" | "online" | "offline">("connecting");

let socket: ChatSocket | undefined;
let everConnected = false;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retries = 0;
let subscribedSid: string | undefined;
let stopFollowing: (() => void) | undefined;

/**
 * Opens the `/chat` socket. The handshake reads the token each time it connects, so a reconnect after a renewal
 * uses the fresh one. On every reconnect the list, the totals and the open thread are fetched again: events missed
 * while away are never assumed to be replayed.
 */
export function startLive(): void {
  if (socket) return;
  socket = io("/chat", {
    // The batched tenant feed: one conversations:updated per window for the list, whatever the message rate; the
    // open conversation's own events still come one by one through its subscription.
    auth: (send) =>
      send({ token: session.peek()?.token ?? "", conversationFeed: "batched", ...(tenantId.peek() ? { tenantId: tenantId.peek() } : {}) }),
    reconnectionDelay: 1000,
    reconnectionDelayMax: 15000,
  }) as ChatSocket;
  stopFollowing = effect(() => {
    void selectedSid.value;
    followOpenConversation();
  });
  socket.on("connect", () => {
    connection.value = "online";
    retries = 0;
    subscribedSid = undefined;
    followOpenConversation();
    if (everConnected) {
      void loadList();
      refreshTotals(0);
      void refetchThread();
    }
    everConnected = true;
  });
  socket.on("disconnect", (reason) => {
    connection.value = "offline";
    subscribedSid = undefined;
    // The server dropped us (a restart, or the token's expiry): Socket.IO does not come back by itself then.
    if (reason === "io server disconnect") reconnectSoon();
  });
  socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
    connection.value = "offline";
    if (socket?.active) return; // transport trouble: Socket.IO retries by itself
    const code = error.data?.code;
    if (code === "token_expired") void renewSession().then((ok) => ok && reconnectSoon(0));
    else if (code === "unauthenticated" || code === "forbidden") endSession("The gateway refused the token for live updates: sign in again.");
    else reconnectSoon();
  });
  socket.on("session:expired", () => void renewSession());
  socket.on("conversation:updated", ({ conversation }) => {
    upsertConversation(conversation);
    refreshTotals();
  });
  socket.on("conversations:updated", ({ conversations }) => {
    for (const { conversation } of conversations) upsertConversation(conversation);
    refreshTotals();
  });
  socket.on("conversation:removed", ({ conversationSid }) => {
    removeConversation(conversationSid);
    refreshTotals();
  });
  socket.on("message:received", ({ message }) => {
    receiveMessage(message);
    if (message.conversationSid === thread.peek()?.sid) markReadIfVisible(message.conversationSid);
  });
  socket.on("message:sent", ({ message }) => receiveMessage(message));
  socket.on("delivery:receipt", ({ conversationSid, receipt }) => applyReceipt(conversationSid, receipt));
  socket.on("typing:start", ({ conversationSid, userId }) => setTyping(conversationSid, userId, true));
  socket.on("typing:stop", ({ conversationSid, userId }) => setTyping(conversationSid, userId, false));
}

export function stopLive(): void {
  clearTimeout(retryTimer);
  stopFollowing?.();
  socket?.disconnect();
  socket = undefined;
  everConnected = false;
  connection.value = "connecting";
}

function reconnectSoon(delayMs = Math.min(15000, 1000 * 2 ** retries)): void {
  clearTimeout(retryTimer);
  retries++;
  retryTimer = setTimeout(() => {
    if (socket && !socket.connected && session.peek()) socket.connect();
  }, delayMs);
}

/** Keeps the socket subscribed to the open conversation (and only to it). */
export function followOpenConversation(): void {
  const wanted = selectedSid.peek();
  if (!socket?.connected || wanted === subscribedSid) return;
  if (subscribedSid) socket.emit("unsubscribe:conversation", { conversationSid: subscribedSid });
  subscribedSid = wanted;
  if (wanted) socket.emit("subscribe:conversation", { conversationSid: wanted });
}

/** Tells the others in the conversation this agent is typing (or stopped). */
export function sendTyping(conversationSid: string, on: boolean): void {
  if (socket?.connected) socket.emit(on ? "typing:start" : "typing:stop", { conversationSid });
}
