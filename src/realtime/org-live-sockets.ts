import type { Server } from "socket.io";
import { toOrgConversation, toOrgMessage } from "../http/routes/org-inbox-format.js";
import { selectTenantId } from "../http/tenant-selection.js";
import { isAppError } from "../errors.js";
import type { RealtimeComponents } from "./chat-socket-server.js";
import { tenantRoom } from "./chat-events.js";
import { onCoalescedConversationUpdates } from "./coalesce-per-key.js";

/** Seed 003 §5: `/api/v1/conversations/{organizationId}/live`, one Socket.IO namespace per organization. */
export const ORG_LIVE_NAMESPACE = /^\/api\/v1\/conversations\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/live$/;

/**
 * The org inbox's live events, with the seed's names and shapes: `new_message`, `conversation_updated`,
 * `typing_indicator`. Same token check as REST; the organization in the namespace must be granted. Every socket
 * hears its whole organization (the seed has no subscriptions).
 */
export function attachOrgLiveSockets(io: Server<any, any, any, any>, components: RealtimeComponents): () => void {
  const { tenants, events } = components;
  const live = io.of(ORG_LIVE_NAMESPACE);

  live.use((socket, next) => {
    try {
      const organizationId = ORG_LIVE_NAMESPACE.exec(socket.nsp.name)![1]!;
      const principal = components.verifyToken(typeof socket.handshake.auth?.token === "string" ? socket.handshake.auth.token : undefined);
      const wanted = tenants.findByIdOrAlias(organizationId)?.tenant.id ?? organizationId;
      socket.data.userId = principal.userId;
      socket.data.tenantId = selectTenantId(principal, wanted, (id) => tenants.has(id));
      next();
    } catch (error) {
      const failure = new Error("Authentication error") as Error & { data?: unknown };
      failure.data = { code: isAppError(error) ? error.code : "unauthenticated" };
      next(failure);
    }
  });

  live.on("connection", (socket) => {
    const { tenantId, userId } = socket.data as { tenantId: string; userId: string };
    void socket.join(tenantRoom(tenantId));
    socket.on("typing_indicator", (payload: { conversation_id?: unknown; is_typing?: unknown }) => {
      const sid = payload?.conversation_id;
      if (typeof sid !== "string" || !/^CH[0-9a-fA-F]{32}$/.test(sid)) return;
      events.publish("typing.changed", { tenantId, conversationSid: sid, userId, typing: payload.is_typing !== false, originSocketId: socket.id });
    });
  });

  const nameOf = (tenantId: string, conversationSid: string) => {
    const entry = tenants.get(tenantId).directory.peek(conversationSid);
    return entry?.record.friendlyName ?? entry?.attributes.contactDetails?.phone ?? conversationSid;
  };
  // As on /chat: a burst into one conversation sends the tenant its newest state at most once per interval.
  const stopConversationUpdates = onCoalescedConversationUpdates(
    events,
    components.conversationUpdateIntervalMs ?? 0,
    // From the event's own state: the directory may already hold a later one (unread count of one time, preview of another).
    ({ tenantId, entry, conversation }) =>
      live.to(tenantRoom(tenantId)).emit("conversation_updated", { conversation: toOrgConversation(entry, conversation.latestMessage ?? null) }),
  );
  const unsubscribers = [
    ...(["message.received", "message.sent"] as const).map((name) =>
      events.on(name, ({ tenantId, conversationSid, message }) =>
        live.to(tenantRoom(tenantId)).emit("new_message", { conversation_id: conversationSid, message: toOrgMessage(message, nameOf(tenantId, conversationSid)) }),
      ),
    ),
    events.on("typing.changed", ({ tenantId, conversationSid, userId, typing, originSocketId }) =>
      live.to(tenantRoom(tenantId)).except(originSocketId).emit("typing_indicator", { conversation_id: conversationSid, user_id: userId, is_typing: typing }),
    ),
  ];
  return () => {
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    stopConversationUpdates();
  };
}
