import type { ConversationView, MessageRecord } from "../inbox/inbox-types.js";
import type { FeedMode } from "./tenant-feed.js";

/** Acks are `{ data }` on success and `{ error }` otherwise (`rate_limited` adds `retryAfterSeconds`). */
export type AckResponse<T> = { data: T } | { error: { code: string; message: string; retryAfterSeconds?: number } };
export type Ack<T> = (response: AckResponse<T>) => void;

export interface DeliveryReceipt {
  messageSid: string;
  status: "queued" | "sent" | "delivered" | "read" | "failed" | "undelivered" | "opened" | "clicked";
  channel: "SMS" | "WhatsApp" | "Email";
  errorCode?: number;
  reason?: string;
}

/** Events the server emits on namespace `/chat` (seed 000 §2.3). Shared by the server and the tests' client. */
export interface ServerToClientEvents {
  "message:received": (payload: { conversationSid: string; message: MessageRecord }) => void;
  "message:sent": (payload: { conversationSid: string; message: MessageRecord }) => void;
  /** Sent to the conversation's room and to the tenant's `each` feed, so inbox lists update without subscribing. */
  "conversation:updated": (payload: ConversationUpdated) => void;
  /** The `batched` tenant feed: the latest `conversation:updated` payload of each conversation updated in the window. */
  "conversations:updated": (payload: { conversations: ConversationUpdated[] }) => void;
  "delivery:receipt": (payload: { conversationSid: string; receipt: DeliveryReceipt }) => void;
  "typing:start": (payload: { conversationSid: string; userId: string }) => void;
  "typing:stop": (payload: { conversationSid: string; userId: string }) => void;
  /** The token reached its `exp`: the server disconnects the socket right after (every namespace sends it). */
  "session:expired": (payload: SessionExpired) => void;
}

/** One conversation's new state, as `conversation:updated` and each item of `conversations:updated` carry it. */
export interface ConversationUpdated {
  conversationSid: string;
  conversation: ConversationView;
}

/** Sent on every namespace just before a socket whose token expired is disconnected. */
export interface SessionExpired {
  /** `token_expired`: reconnect with a fresh token (the session is kept); `session_ended`: sign in again. */
  code: "token_expired" | "session_ended";
  message: string;
}

/** Events the server handles (seed 000 §2.2). */
export interface ClientToServerEvents {
  "subscribe:conversation": (payload: { conversationSid: string }, ack?: Ack<{ conversationSid: string }>) => void;
  "unsubscribe:conversation": (payload: { conversationSid: string }, ack?: Ack<{ conversationSid: string }>) => void;
  "typing:start": (payload: { conversationSid: string }) => void;
  "typing:stop": (payload: { conversationSid: string }) => void;
}

export interface SocketData {
  userId: string;
  tenantId: string;
  /** The token's `exp`, ms since the epoch. */
  expiresAtMs: number;
  /** The tenant feed chosen at the handshake (tenant-feed.ts). */
  conversationFeed: FeedMode;
}

/** The handshake's `auth` object. */
export interface ChatHandshakeAuth {
  token: string;
  /** Required only when the token grants several tenants. */
  tenantId?: string;
  /** The tenant feed: `each` (default), `batched` or `none` (tenant-feed.ts). */
  conversationFeed?: FeedMode;
}

/** Rooms are always tenant-scoped. */
export const tenantRoom = (tenantId: string) => `tenant:${tenantId}`;
export const conversationRoom = (tenantId: string, conversationSid: string) => `tenant:${tenantId}:conversation:${conversationSid}`;
/** The conversation a room of `conversationRoom` names, if it is one. */
export const conversationOfRoom = (room: string): string | undefined => /^tenant:.+:conversation:(CH[0-9a-fA-F]{32})$/.exec(room)?.[1];
/** Whether `room` is one of the tenant's rooms: its feeds' (`each`, `batched`) or one of its conversations'. */
export const isRoomOfTenant = (room: string, tenantId: string) => room === tenantRoom(tenantId) || room.startsWith(`${tenantRoom(tenantId)}:`);

export const CHAT_NAMESPACE = "/chat";
