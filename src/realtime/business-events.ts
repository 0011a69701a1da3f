import type { BusinessConversation } from "../business/business-conversation.js";
import type { BusinessMessage, BusinessStatus } from "../business/business-message.js";
import type { Ack } from "./chat-events.js";

/** Events the server emits on the default namespace `/` for the business API's clients. */
export interface BusinessServerToClientEvents {
  "message:new": (message: BusinessMessage) => void;
  "message:status": (update: { id: string; conversationId: string; status: BusinessStatus }) => void;
  "conversation:updated": (conversation: BusinessConversation) => void;
  /** The `batched` tenant feed: the latest state of each conversation updated in the window. */
  "conversations:updated": (payload: { conversations: BusinessConversation[] }) => void;
  "typing:start": (payload: { conversationId: string; userId: string }) => void;
  "typing:stop": (payload: { conversationId: string; userId: string }) => void;
  "session:expired": (payload: { code: "token_expired" | "session_ended"; message: string }) => void;
}

/** `{ conversationId }` (or the id alone) of `join-conversation`, `leave-conversation`, `typing-start`, `typing-stop`. */
export type ConversationRef = string | { conversationId: string };

/** The ack of a client event on `/`: `{ data }` or `{ error }`, as on /chat. */
export type BusinessAck<T> = Ack<T>;

/** Events clients emit on `/`. */
export interface BusinessClientToServerEvents {
  "join-conversation": (payload: ConversationRef, ack?: BusinessAck<{ conversationId: string }>) => void;
  "leave-conversation": (payload: ConversationRef, ack?: BusinessAck<{ conversationId: string }>) => void;
  "typing-start": (payload: ConversationRef) => void;
  "typing-stop": (payload: ConversationRef) => void;
}
