import { signal } from "@preact/signals";
import { api, ApiError, newIdempotencyKey } from "./api.js";
import type { DeliveryReceipt, Message, MessageStatus } from "./api-types.js";
import { markRead, selected, selectedSid, upsertConversation } from "./inbox-state.js";
import { unreadOf } from "./conversation-model.js";
import { advances, toThreadMessage, type ThreadMessage } from "./message-model.js";

const PAGE_SIZE = 30;

/** A message the agent sent that the API has not confirmed yet (or refused). */
export interface PendingMessage {
  localId: string;
  /** Kept across retries: the gateway answers a retry with the first result and never sends twice. */
  idempotencyKey: string;
  body: string;
  email?: { subject: string; cc: string[] };
  state: "sending" | "failed";
  error?: string;
}

export interface Thread {
  sid: string;
  messages: ThreadMessage[];
  pending: PendingMessage[];
  state: "loading" | "ready" | "error";
  error?: string;
  /** The `Link` to older messages, while there are some. */
  older?: string;
  loadingOlder: boolean;
  /** Index of the first unread message when the conversation was opened (the unread divider goes above it). */
  firstUnreadIndex?: number;
}

export const thread = signal<Thread | undefined>(undefined);
/** Who is typing in the open conversation (user id → when the indicator lapses). */
export const typing = signal<Record<string, number>>({});

const update = (sid: string, change: (t: Thread) => Thread) => {
  const current = thread.peek();
  if (current && current.sid === sid) thread.value = change(current);
};

/** Merges messages by SID (a newer copy wins, keeping the furthest delivery status), oldest first by index. */
function merge(existing: ThreadMessage[], incoming: Message[]): ThreadMessage[] {
  const bySid = new Map(existing.map((m) => [m.message.sid, m]));
  for (const message of incoming) {
    const next = toThreadMessage(message);
    const known = bySid.get(message.sid);
    if (known?.status && next.status && !advances(known.status, next.status)) next.status = known.status;
    bySid.set(message.sid, next);
  }
  return [...bySid.values()].sort((a, b) => a.message.index - b.message.index);
}

/** Opens a conversation: its newest page, the unread divider, and marks it read (`unreadCount: 0`). */
export async function openConversation(sid: string): Promise<void> {
  if (thread.peek()?.sid === sid) return;
  selectedSid.value = sid;
  typing.value = {};
  const unread = selected.peek() ? unreadOf(selected.peek()!) : 0;
  thread.value = { sid, messages: [], pending: [], state: "loading", loadingOlder: false };
  try {
    const answer = await api<Message[]>("GET", `/api/v1/chat/conversations/${sid}/messages?limit=${PAGE_SIZE}`);
    const messages = merge([], answer.data);
    const inbound = messages.filter((m) => m.inbound);
    const firstUnread = unread > 0 ? inbound[Math.max(0, inbound.length - unread)]?.message.index : undefined;
    update(sid, (t) => ({ ...t, messages: merge(t.messages, answer.data), state: "ready", older: answer.next, firstUnreadIndex: firstUnread }));
  } catch (error) {
    update(sid, (t) => ({ ...t, state: "error", error: error instanceof ApiError ? error.message : String(error) }));
    return;
  }
  if (unread > 0) await markRead(sid).catch(() => undefined);
}

export function closeConversation(): void {
  selectedSid.value = undefined;
  thread.value = undefined;
  typing.value = {};
}

/** The page before the oldest shown (the `Link` of the last page read). */
export async function loadOlder(): Promise<void> {
  const current = thread.peek();
  if (!current?.older || current.loadingOlder) return;
  update(current.sid, (t) => ({ ...t, loadingOlder: true }));
  try {
    const answer = await api<Message[]>("GET", current.older);
    update(current.sid, (t) => ({ ...t, messages: merge(t.messages, answer.data), older: answer.next, loadingOlder: false }));
  } catch {
    update(current.sid, (t) => ({ ...t, loadingOlder: false }));
  }
}

/**
 * After a reconnect (missed events are never replayed): the newest page again. When it does not reach what is
 * shown, messages were missed in between, and the thread starts over from that page.
 */
export async function refetchThread(): Promise<void> {
  const current = thread.peek();
  if (!current || current.state === "loading") return;
  try {
    const answer = await api<Message[]>("GET", `/api/v1/chat/conversations/${current.sid}/messages?limit=${PAGE_SIZE}`);
    update(current.sid, (t) => {
      const newestShown = t.messages.at(-1)?.message.index ?? -1;
      const oldestFetched = Math.min(...answer.data.map((m) => m.index));
      const gap = answer.next !== undefined && oldestFetched > newestShown + 1;
      return gap ? { ...t, messages: merge([], answer.data), older: answer.next } : { ...t, messages: merge(t.messages, answer.data) };
    });
  } catch {
    // The banner already says the connection is unsteady; the next reconnect tries again.
  }
}

/** A message from the socket (`message:received`, `message:sent`) for the open conversation. */
export function receiveMessage(message: Message): void {
  update(message.conversationSid, (t) => {
    const item = toThreadMessage(message);
    const pending = item.idempotencyKey ? t.pending.filter((p) => p.idempotencyKey !== item.idempotencyKey) : t.pending;
    return { ...t, messages: merge(t.messages, [message]), pending };
  });
}

export function applyReceipt(conversationSid: string, receipt: DeliveryReceipt): void {
  update(conversationSid, (t) => {
    let changed = false;
    const messages = t.messages.map((m) => {
      if (m.message.sid !== receipt.messageSid || !advances(m.status, receipt.status)) return m;
      changed = true;
      return { ...m, status: receipt.status as MessageStatus, errorCode: receipt.errorCode ?? m.errorCode, reason: receipt.reason ?? m.reason };
    });
    return changed ? { ...t, messages } : t;
  });
}

/** Optimistic send: shown at once, confirmed by the API's answer (or the socket, whichever comes first). */
export function send(body: string, email?: { subject: string; cc: string[] }): void {
  const current = thread.peek();
  if (!current) return;
  const pending: PendingMessage = { localId: newIdempotencyKey(), idempotencyKey: newIdempotencyKey(), body, email, state: "sending" };
  update(current.sid, (t) => ({ ...t, pending: [...t.pending, pending] }));
  void deliver(current.sid, pending);
}

/** Sends a refused message again with the same Idempotency-Key: if the first attempt did reach Twilio, this one returns it. */
export function retry(localId: string): void {
  const current = thread.peek();
  const pending = current?.pending.find((p) => p.localId === localId);
  if (!current || !pending) return;
  const again = { ...pending, state: "sending" as const, error: undefined };
  update(current.sid, (t) => ({ ...t, pending: t.pending.map((p) => (p.localId === localId ? again : p)) }));
  void deliver(current.sid, again);
}

/** A message Twilio could not deliver is sent anew (a new message, a new key): the first one never arrived. */
export function resend(item: ThreadMessage): void {
  send(item.message.body ?? "", item.subject ? { subject: item.subject, cc: [] } : undefined);
}

async function deliver(sid: string, pending: PendingMessage): Promise<void> {
  const attributes = pending.email ? { subject: pending.email.subject, ...(pending.email.cc.length ? { cc: pending.email.cc } : {}) } : undefined;
  try {
    const answer = await api<Message>("POST", `/api/v1/chat/conversations/${sid}/messages`, {
      body: { body: pending.body, ...(attributes ? { attributes } : {}) },
      headers: { "Idempotency-Key": pending.idempotencyKey },
    });
    update(sid, (t) => ({ ...t, messages: merge(t.messages, [answer.data]), pending: t.pending.filter((p) => p.localId !== pending.localId) }));
    const open = selected.peek();
    if (open?.sid === sid) upsertConversation({ ...open, latestMessage: answer.data });
  } catch (error) {
    const reason = error instanceof ApiError ? error.message : String(error);
    update(sid, (t) => ({ ...t, pending: t.pending.map((p) => (p.localId === pending.localId ? { ...p, state: "failed", error: reason } : p)) }));
  }
}

/** `typing:start` from someone else in the open conversation: shown for 6 s unless `typing:stop` comes first. */
export function setTyping(conversationSid: string, user: string, on: boolean): void {
  if (thread.peek()?.sid !== conversationSid) return;
  const next = { ...typing.peek() };
  if (on) next[user] = Date.now() + 6000;
  else delete next[user];
  typing.value = next;
  if (on) setTimeout(() => lapse(conversationSid, user), 6100);
}

function lapse(conversationSid: string, user: string): void {
  const until = typing.peek()[user];
  if (until !== undefined && until <= Date.now()) setTyping(conversationSid, user, false);
}
