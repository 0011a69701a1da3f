import type { Namespace } from "socket.io";
import type { DomainEvents } from "../inbox/domain-events.js";
import { onCoalescedConversationUpdates } from "./coalesce-per-key.js";
import { toBusinessConversation } from "../business/business-conversation.js";
import { businessMessageId, businessStatus, toBusinessMessage } from "../business/business-message.js";
import type { ConversationEntry } from "../inbox/conversation-directory.js";
import type { TenantConfig } from "../tenants/tenant-config.js";
import type { BusinessServerToClientEvents } from "./business-events.js";
import { conversationRoom, tenantRoom, type ClientToServerEvents, type ServerToClientEvents, type SocketData } from "./chat-events.js";

type ChatNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** The business API's namespace `/` and how it describes what the events carry (src/business/). */
export interface BusinessAudience {
  namespace: Namespace<Record<string, never>, BusinessServerToClientEvents, Record<string, never>, SocketData>;
  tenantOf: (tenantId: string) => TenantConfig | undefined;
  /** The conversation as the directory knows it now, without a Twilio call (it names the customer's number). */
  entryOf?: (tenantId: string, conversationSid: string) => ConversationEntry | undefined;
}

/**
 * The one listener that turns domain events into Socket.IO emits: it alone knows rooms and payload shapes — the chat
 * API's on `/chat` and, given `business`, the business API's names on `/` (each socket of the tenant hears new
 * messages, statuses and conversation updates; typing reaches the conversation's room).
 */
export function startChatBroadcaster(
  namespace: ChatNamespace,
  events: DomainEvents,
  conversationUpdateIntervalMs = 0,
  business?: BusinessAudience,
): () => void {
  // Every socket of the tenant hears conversation:updated: a burst into one conversation sends the newest state
  // at most once per interval instead of every intermediate one to all of them.
  const stopConversationUpdates = onCoalescedConversationUpdates(
    events,
    conversationUpdateIntervalMs,
    ({ tenantId, conversationSid, conversation, entry }) => {
      // One emit to both rooms: a socket in both gets it once.
      namespace
        .to([conversationRoom(tenantId, conversationSid), tenantRoom(tenantId)])
        .emit("conversation:updated", { conversationSid, conversation });
      const tenant = business?.tenantOf(tenantId);
      if (tenant) business!.namespace.to(tenantRoom(tenantId)).emit("conversation:updated", toBusinessConversation(entry, tenant));
    },
  );
  const unsubscribers = [
    events.on("message.received", ({ tenantId, conversationSid, message }) =>
      namespace.to(conversationRoom(tenantId, conversationSid)).emit("message:received", { conversationSid, message }),
    ),
    events.on("message.sent", ({ tenantId, conversationSid, message }) =>
      namespace.to(conversationRoom(tenantId, conversationSid)).emit("message:sent", { conversationSid, message }),
    ),
    events.on("delivery.receipt", ({ tenantId, conversationSid, messageSid, status, channel, errorCode, reason }) =>
      namespace.to(conversationRoom(tenantId, conversationSid)).emit("delivery:receipt", {
        conversationSid,
        receipt: { messageSid, status, channel, ...(errorCode !== undefined ? { errorCode } : {}), ...(reason ? { reason } : {}) },
      }),
    ),
    events.on("typing.changed", ({ tenantId, conversationSid, userId, typing, originSocketId }) =>
      // The typist does not hear itself.
      namespace
        .to(conversationRoom(tenantId, conversationSid))
        .except(originSocketId)
        .emit(typing ? "typing:start" : "typing:stop", { conversationSid, userId }),
    ),
  ];
  if (business) unsubscribers.push(...businessEmits(business, events));
  return () => {
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    stopConversationUpdates();
  };
}

/** The business API's event names on `/`, from the same domain events. */
function businessEmits({ namespace, tenantOf, entryOf }: BusinessAudience, events: DomainEvents): Array<() => void> {
  return [
    ...(["message.received", "message.sent"] as const).map((name) =>
      events.on(name, ({ tenantId, conversationSid, message }) => {
        const tenant = tenantOf(tenantId);
        if (tenant) namespace.to(tenantRoom(tenantId)).emit("message:new", toBusinessMessage(message, tenant, entryOf?.(tenantId, conversationSid)));
      }),
    ),
    events.on("delivery.receipt", ({ tenantId, conversationSid, messageSid, status }) => {
      if (status === "opened" || status === "clicked") return;
      namespace
        .to(tenantRoom(tenantId))
        .emit("message:status", { id: businessMessageId(conversationSid, messageSid), conversationId: conversationSid, status: businessStatus(status, "OUTBOUND") });
    }),
    events.on("typing.changed", ({ tenantId, conversationSid, userId, typing, originSocketId }) =>
      namespace
        .to(conversationRoom(tenantId, conversationSid))
        .except(originSocketId)
        .emit(typing ? "typing:start" : "typing:stop", { conversationId: conversationSid, userId }),
    ),
  ];
}
