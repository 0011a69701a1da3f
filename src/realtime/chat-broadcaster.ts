import type { Namespace } from "socket.io";
import type { DomainEvents } from "../inbox/domain-events.js";
import { onCoalescedConversationUpdates } from "./coalesce-per-key.js";
import { conversationRoom, tenantRoom, type ClientToServerEvents, type ServerToClientEvents, type SocketData } from "./chat-events.js";

type ChatNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** The one listener that turns domain events into Socket.IO emits: it alone knows rooms and payload shapes. */
export function startChatBroadcaster(namespace: ChatNamespace, events: DomainEvents, conversationUpdateIntervalMs = 0): () => void {
  // Every socket of the tenant hears conversation:updated: a burst into one conversation sends the newest state
  // at most once per interval instead of every intermediate one to all of them.
  const stopConversationUpdates = onCoalescedConversationUpdates(
    events,
    conversationUpdateIntervalMs,
    ({ tenantId, conversationSid, conversation }) =>
      // One emit to both rooms: a socket in both gets it once.
      namespace
        .to([conversationRoom(tenantId, conversationSid), tenantRoom(tenantId)])
        .emit("conversation:updated", { conversationSid, conversation }),
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
  return () => {
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    stopConversationUpdates();
  };
}
