import type { Namespace } from "socket.io";
import type { DomainEvents } from "../inbox/domain-events.js";
import { onCoalescedConversationUpdates } from "./coalesce-per-key.js";
import { onBatchedConversationUpdates } from "./batch-per-tenant.js";
import { batchedTenantRoom } from "./tenant-feed.js";
import { hasAudience } from "./namespace-audience.js";
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

/** How often the tenant feeds go out (REALTIME_CONVERSATION_UPDATE_MS, REALTIME_FEED_BATCH_MS). */
export interface FeedTiming {
  /** `each` feed: at most one update per conversation per this many ms (the newest); 0: every one. */
  conversationUpdateIntervalMs?: number;
  /** `batched` feed: at most one batch per tenant per this many ms (leading edge at once); 0: every update alone. */
  feedBatchMs?: number;
}

/**
 * The one listener that turns domain events into Socket.IO emits: it alone knows rooms and payload shapes — the chat
 * API's on `/chat` and, given `business`, the business API's names on `/` (each socket of the tenant's `each` feed
 * hears new messages, statuses and conversation updates; typing reaches the conversation's room). The tenant feed
 * goes out per update to the `each` room and per window to the `batched` room (tenant-feed.ts); a socket hears its
 * subscribed conversations' events whatever its feed.
 */
export function startChatBroadcaster(
  namespace: ChatNamespace,
  events: DomainEvents,
  { conversationUpdateIntervalMs = 0, feedBatchMs = 0, adapter }: FeedTiming & { /** Set when scaled out (every emit goes out). */ adapter?: unknown } = {},
  business?: BusinessAudience,
): () => void {
  // A namespace nobody is connected to (nor recovering on) gets no payload built, encoded or stored for recovery.
  const scaledOut = adapter !== undefined;
  const chatHeard = () => hasAudience(namespace, scaledOut);
  const businessHeard = () => business !== undefined && hasAudience(business.namespace, scaledOut);
  // The `each` feed: a burst into one conversation sends the newest state at most once per interval instead of
  // every intermediate one to all of the tenant's sockets.
  const stopConversationUpdates = onCoalescedConversationUpdates(
    events,
    conversationUpdateIntervalMs,
    ({ tenantId, conversationSid, conversation, entry }) => {
      // One emit to both rooms: a socket in both gets it once.
      if (chatHeard())
        namespace
          .to([conversationRoom(tenantId, conversationSid), tenantRoom(tenantId)])
          .emit("conversation:updated", { conversationSid, conversation });
      const tenant = businessHeard() ? business!.tenantOf(tenantId) : undefined;
      if (tenant)
        business!.namespace.to([conversationRoom(tenantId, conversationSid), tenantRoom(tenantId)]).emit("conversation:updated", toBusinessConversation(entry, tenant));
    },
  );
  // The `batched` feed: one packet per tenant per window, encoded once and written to each of its sockets.
  const stopBatches = onBatchedConversationUpdates(events, feedBatchMs, (tenantId, updates) => {
    if (chatHeard())
      namespace
        .to(batchedTenantRoom(tenantId))
        .emit("conversations:updated", { conversations: updates.map(({ conversationSid, conversation }) => ({ conversationSid, conversation })) });
    const tenant = businessHeard() ? business!.tenantOf(tenantId) : undefined;
    if (tenant)
      business!.namespace.to(batchedTenantRoom(tenantId)).emit("conversations:updated", { conversations: updates.map(({ entry }) => toBusinessConversation(entry, tenant)) });
  });
  const unsubscribers = [
    events.on("message.received", ({ tenantId, conversationSid, message }) => {
      if (chatHeard()) namespace.to(conversationRoom(tenantId, conversationSid)).emit("message:received", { conversationSid, message });
    }),
    events.on("message.sent", ({ tenantId, conversationSid, message }) => {
      if (chatHeard()) namespace.to(conversationRoom(tenantId, conversationSid)).emit("message:sent", { conversationSid, message });
    }),
    events.on("delivery.receipt", ({ tenantId, conversationSid, messageSid, status, channel, errorCode, reason }) => {
      if (!chatHeard()) return;
      namespace.to(conversationRoom(tenantId, conversationSid)).emit("delivery:receipt", {
        conversationSid,
        receipt: { messageSid, status, channel, ...(errorCode !== undefined ? { errorCode } : {}), ...(reason ? { reason } : {}) },
      });
    }),
    events.on("typing.changed", ({ tenantId, conversationSid, userId, typing, originSocketId }) => {
      // The typist does not hear itself.
      if (chatHeard())
        namespace
          .to(conversationRoom(tenantId, conversationSid))
          .except(originSocketId)
          .emit(typing ? "typing:start" : "typing:stop", { conversationSid, userId });
    }),
  ];
  if (business) unsubscribers.push(...businessEmits(business, events, businessHeard));
  return () => {
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    stopConversationUpdates();
    stopBatches();
  };
}

/**
 * The business API's event names on `/`, from the same domain events. Messages and statuses go to the tenant's
 * `each` room and to the conversation's room (a socket in both hears them once), so a `batched` or `none` socket
 * hears those of the conversations it joined.
 */
function businessEmits({ namespace, tenantOf, entryOf }: BusinessAudience, events: DomainEvents, heard: () => boolean): Array<() => void> {
  return [
    ...(["message.received", "message.sent"] as const).map((name) =>
      events.on(name, ({ tenantId, conversationSid, message }) => {
        const tenant = heard() ? tenantOf(tenantId) : undefined;
        if (tenant) namespace.to([tenantRoom(tenantId), conversationRoom(tenantId, conversationSid)]).emit("message:new", toBusinessMessage(message, tenant, entryOf?.(tenantId, conversationSid)));
      }),
    ),
    events.on("delivery.receipt", ({ tenantId, conversationSid, messageSid, status }) => {
      if (status === "opened" || status === "clicked" || !heard()) return;
      namespace
        .to([tenantRoom(tenantId), conversationRoom(tenantId, conversationSid)])
        .emit("message:status", { id: businessMessageId(conversationSid, messageSid), conversationId: conversationSid, status: businessStatus(status, "OUTBOUND") });
    }),
    events.on("typing.changed", ({ tenantId, conversationSid, userId, typing, originSocketId }) => {
      if (heard())
        namespace
          .to(conversationRoom(tenantId, conversationSid))
          .except(originSocketId)
          .emit(typing ? "typing:start" : "typing:stop", { conversationId: conversationSid, userId });
    }),
  ];
}
