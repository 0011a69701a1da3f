import type { Namespace, Server } from "socket.io";
import { toOrgConversation, toOrgMessage } from "../http/routes/org-inbox-format.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { RealtimeComponents } from "./chat-socket-server.js";
import { tenantRoom } from "./chat-events.js";
import { onCoalescedConversationUpdates } from "./coalesce-per-key.js";
import { onBatchedConversationUpdates } from "./batch-per-tenant.js";
import { batchedTenantRoom, type FeedMode } from "./tenant-feed.js";
import { guardNamespace } from "./socket-guard.js";
import { CONVERSATION_SID } from "./socket-ack.js";
import { hasAudience } from "./namespace-audience.js";

/** `/api/v1/conversations/{organizationId}/live`: the organization inbox's live namespace of one id or alias. */
export const orgLiveNamespace = (organizationId: string) => `/api/v1/conversations/${organizationId}/live`;

/**
 * What every refusal on an organization's live namespace reads: a bad or expired token, an organization the token
 * does not grant, and one that does not exist (Socket.IO's own answer to an unknown namespace) look alike, so a
 * client learns nothing about organizations it may not see.
 */
const INVALID_NAMESPACE = "Invalid namespace";

/** The tenant feeds offered here (tenant-feed.ts). */
const ORG_FEEDS: readonly FeedMode[] = ["each", "batched"];

/**
 * The organization inbox's live events: `new_message`, `conversation_updated`, `typing_indicator`. Every socket
 * hears its whole organization (there are no subscriptions). A socket asking for the `batched` feed hears
 * `conversations_updated` `{ conversations: [...the conversation_updated payloads] }` once per window instead of
 * `conversation_updated`; messages and typing reach it as they reach the others (there is no other way to hear
 * them here). `none` is not offered: with no subscriptions, such a socket would hear nothing.
 *
 * The namespaces are made here, never from a client's request: one per tenant id and alias this deployment serves,
 * at start and when a tenant is added (sign-up). Socket.IO's dynamic namespaces (a RegExp or function in `io.of`) are not used: a RegExp creates
 * a namespace for every matching name a client asks for before any check runs and keeps it; a parent's
 * `to(room).emit` walks all of them, each child's session store appending its own offset to the one shared packet,
 * so an emit costs the square of their number (3,000 junk names slowed every tenant's webhooks from 10 ms to
 * 500 ms); `cleanupEmptyChildNamespaces` removes an empty child but not its session-aware adapter, whose timer is
 * never cleared (2,000 connect/disconnect cycles left 2,000 adapters alive); and a parent's emit reaches only the
 * children that exist on the emitting instance, which a scaled-out cluster cannot rely on. Fixed namespaces avoid
 * all of it: a tenant's events go to its own few, and every instance has them all.
 */
export function attachOrgLiveSockets(io: Server<any, any, any, any>, components: RealtimeComponents): () => void {
  const { tenants, events } = components;
  const namespacesOf = new Map<string, Namespace[]>();
  const addTenant = (inbox: TenantInbox) => {
    const tenantId = inbox.tenant.id;
    if (namespacesOf.has(tenantId)) return;
    const names = [tenantId, ...(inbox.tenant.aliases ?? [])].filter((name) => tenants.findByIdOrAlias(name) === inbox);
    const namespaces = [...new Set(names)].map((name) => {
      const live = io.of(orgLiveNamespace(name));
      guardNamespace(live, { requestedTenant: () => tenantId, refusal: () => new Error(INVALID_NAMESPACE), feeds: ORG_FEEDS }, components);
      live.on("connection", (socket) => {
        const { userId } = socket.data as { userId: string };
        socket.on("typing_indicator", (payload: { conversation_id?: unknown; is_typing?: unknown }) => {
          const sid = payload?.conversation_id;
          if (typeof sid !== "string" || !CONVERSATION_SID.test(sid)) return;
          events.publish("typing.changed", { tenantId, conversationSid: sid, userId, typing: payload.is_typing !== false, originSocketId: socket.id });
        });
      });
      return live;
    });
    namespacesOf.set(tenantId, namespaces);
  };
  tenants.all().forEach(addTenant);
  // A tenant created at sign-up (here, or found on another instance's sign-up) gets its namespaces when it is added.
  const stopAdding = tenants.onAdded(addTenant);
  const scaledOut = components.adapter !== undefined;
  /**
   * The tenant's rooms on each of its namespaces (its id and its aliases) that someone may hear (namespace-audience.ts):
   * by default both feeds'. None, mostly, where only the chat API's clients are connected: no payload is built then.
   */
  const toTenant = (tenantId: string, { except, rooms = [tenantRoom(tenantId), batchedTenantRoom(tenantId)] }: { except?: string; rooms?: string[] } = {}) =>
    (namespacesOf.get(tenantId) ?? []).filter((live) => hasAudience(live, scaledOut)).map((live) => (except ? live.to(rooms).except(except) : live.to(rooms)));

  const nameOf = (tenantId: string, conversationSid: string) => {
    const entry = tenants.get(tenantId).directory.peek(conversationSid);
    return entry?.record.friendlyName ?? entry?.attributes.contactDetails?.phone ?? conversationSid;
  };
  // As on /chat: a burst into one conversation sends the tenant its newest state at most once per interval.
  const stopConversationUpdates = onCoalescedConversationUpdates(
    events,
    components.conversationUpdateIntervalMs ?? 0,
    // From the event's own state: the directory may already hold a later one (unread count of one time, preview of another).
    ({ tenantId, entry, conversation }) => {
      const rooms = toTenant(tenantId, { rooms: [tenantRoom(tenantId)] });
      if (rooms.length === 0) return;
      const payload = { conversation: toOrgConversation(entry, conversation.latestMessage ?? null) };
      for (const room of rooms) room.emit("conversation_updated", payload);
    },
  );
  const stopBatches = onBatchedConversationUpdates(events, components.feedBatchMs ?? 0, (tenantId, updates) => {
    const rooms = toTenant(tenantId, { rooms: [batchedTenantRoom(tenantId)] });
    if (rooms.length === 0) return;
    const payload = { conversations: updates.map(({ entry, conversation }) => ({ conversation: toOrgConversation(entry, conversation.latestMessage ?? null) })) };
    for (const room of rooms) room.emit("conversations_updated", payload);
  });
  const unsubscribers = [
    ...(["message.received", "message.sent"] as const).map((name) =>
      events.on(name, ({ tenantId, conversationSid, message }) => {
        const rooms = toTenant(tenantId);
        if (rooms.length === 0) return;
        const payload = { conversation_id: conversationSid, message: toOrgMessage(message, nameOf(tenantId, conversationSid)) };
        for (const room of rooms) room.emit("new_message", payload);
      }),
    ),
    events.on("typing.changed", ({ tenantId, conversationSid, userId, typing, originSocketId }) => {
      const payload = { conversation_id: conversationSid, user_id: userId, is_typing: typing };
      for (const room of toTenant(tenantId, { except: originSocketId })) room.emit("typing_indicator", payload);
    }),
  ];
  return () => {
    stopAdding();
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    stopConversationUpdates();
    stopBatches();
  };
}
