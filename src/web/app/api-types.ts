/**
 * The shapes the page reads, from the server's own declarations (types only: nothing of the server is bundled).
 * They mirror openapi.yaml's Conversation, Message and Participant and the `/chat` event map.
 */
export type { ConversationView as Conversation, MessageRecord as Message, ParticipantRecord as Participant, Channel } from "../../inbox/inbox-types.js";
export type { ServerToClientEvents, ClientToServerEvents, DeliveryReceipt } from "../../realtime/chat-events.js";

/** GET /api/v1/chat/stats */
export interface InboxTotals {
  conversations: number;
  unreadConversations: number;
  unreadMessages: number;
  starredConversations: number;
}

export type ConversationFilter = "all" | "unread" | "recents" | "starred";

/** A delivery state of a message as the page shows it. */
export type MessageStatus = "sending" | "queued" | "sent" | "delivered" | "read" | "failed" | "undelivered";
