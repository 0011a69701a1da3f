import type { Server as HttpServer } from "node:http";
import { Server, type Namespace, type ServerOptions } from "socket.io";
import { AppError, isAppError } from "../errors.js";
import type { AuditLog } from "../logger.js";
import type { Principal, TokenVerifier } from "../http/access-token.js";
import type { RateLimits } from "../http/rate-limits.js";
import type { DomainEvents } from "../inbox/domain-events.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import { startChatBroadcaster, type BusinessAudience } from "./chat-broadcaster.js";
import { attachBusinessSockets } from "./business-sockets.js";
import type { BusinessClientToServerEvents, BusinessServerToClientEvents } from "./business-events.js";
import { attachOrgLiveSockets } from "./org-live-sockets.js";
import { guardNamespace, type NamespacePolicy } from "./socket-guard.js";
import { joinConversationRoom } from "./join-conversation-room.js";
import { CONVERSATION_SID, respond } from "./socket-ack.js";
import {
  CHAT_NAMESPACE,
  conversationRoom,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from "./chat-events.js";


export interface RealtimeComponents {
  verifyToken: TokenVerifier;
  tenants: TenantRegistry;
  events: DomainEvents;
  /** The per-user socket event limit (the app's RateLimits: in memory, or Redis when scaled out); none: unlimited. */
  rateLimits?: RateLimits;
  /** Updated with the number of connected /chat sockets. */
  realtimeStats?: { sockets: number };
  /** At most one conversation:updated per conversation per this many ms (the newest state); default 0: every one. */
  conversationUpdateIntervalMs?: number;
  /** The `batched` tenant feed: at most one batch per tenant per this many ms; default 0: every update alone. */
  feedBatchMs?: number;
  /** The REST session check (src/accounts/session-check.ts), run at every handshake and on a session's events. */
  checkPrincipal?: (principal: Principal) => Promise<Principal>;
  /** Records the live feeds sockets open (src/logger.ts AuditRecord); none: not recorded. */
  audit?: AuditLog;
  /** Carries emits between instances when scaled out (src/scale-out/socket-adapter.ts); default: this process only. */
  adapter?: ServerOptions["adapter"];
}

/** How long a dropped client can come back and get what it missed (Socket.IO connection state recovery). */
export const RECOVERY_WINDOW_MS = 2 * 60 * 1000;

/**
 * `/` and `/chat` take the tenant from the handshake's `tenantId` (needed only when the token grants several) and
 * refuse with "Authentication error" and the reason's code, as REST would answer it.
 */
const HANDSHAKE_TENANT: NamespacePolicy = {
  requestedTenant: (auth) => (typeof auth.tenantId === "string" ? auth.tenantId : undefined),
  refusal: (error) => Object.assign(new Error("Authentication error"), { data: { code: isAppError(error) ? error.code : "unauthenticated" } }),
};

/**
 * Socket.IO: namespace `/chat`, the organization live namespaces (org-live-sockets.ts) and `/` (the business API's
 * event names, business-sockets.ts). Every namespace is guarded alike (socket-guard.ts): the handshake's
 * token is verified by the same code as REST, on recovery too, and the socket is disconnected when it expires.
 * Sockets join the room of the tenant feed they chose (tenant-feed.ts), subscribe to conversations of that tenant
 * only, and relay typing to the other subscribers.
 */
export function attachChatSockets(httpServer: HttpServer, components: RealtimeComponents) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    // The guard re-checks a recovering socket's token before its session is restored (recovery-guard.ts).
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
    serveClient: false,
    ...(components.adapter ? { adapter: components.adapter } : {}),
  });
  const root = io.of("/") as unknown as Namespace<BusinessClientToServerEvents, BusinessServerToClientEvents, Record<string, never>, SocketData>;
  guardNamespace(root, HANDSHAKE_TENANT, components);
  attachBusinessSockets(root, components);

  const chat = io.of(CHAT_NAMESPACE);
  guardNamespace(chat, HANDSHAKE_TENANT, components);

  chat.on("connection", (socket) => {
    const { tenantId, userId } = socket.data;
    if (components.realtimeStats) {
      const stats = components.realtimeStats;
      stats.sockets++;
      socket.once("disconnect", () => stats.sockets--);
    }
    const inbox = components.tenants.get(tenantId);

    const conversationSidOf = (payload: unknown): string => {
      const sid = (payload as { conversationSid?: unknown } | undefined)?.conversationSid;
      if (typeof sid !== "string" || !CONVERSATION_SID.test(sid))
        throw new AppError("validation_failed", "conversationSid must be a conversation SID (CH…)", { field: "conversationSid" });
      return sid;
    };
    socket.on("subscribe:conversation", (payload, ack) =>
      respond(ack, async () => {
        const conversationSid = conversationSidOf(payload);
        await joinConversationRoom(socket, inbox, conversationSid, components.audit, { surface: CHAT_NAMESPACE, operation: "subscribe:conversation" });
        return { conversationSid };
      }),
    );
    socket.on("unsubscribe:conversation", (payload, ack) =>
      respond(ack, async () => {
        const conversationSid = conversationSidOf(payload);
        await socket.leave(conversationRoom(tenantId, conversationSid));
        return { conversationSid };
      }),
    );
    for (const event of ["typing:start", "typing:stop"] as const) {
      socket.on(event, (payload) => {
        const sid = (payload as { conversationSid?: unknown } | undefined)?.conversationSid;
        if (typeof sid !== "string" || !CONVERSATION_SID.test(sid)) return;
        // Only subscribers may type into a room.
        if (!socket.rooms.has(conversationRoom(tenantId, sid))) return;
        components.events.publish("typing.changed", { tenantId, conversationSid: sid, userId, typing: event === "typing:start", originSocketId: socket.id });
      });
    }
  });

  const stopBroadcaster = startChatBroadcaster(chat, components.events, components, {
    namespace: root as unknown as BusinessAudience["namespace"],
    tenantOf: (tenantId) => (components.tenants.has(tenantId) ? components.tenants.get(tenantId).tenant : undefined),
    entryOf: (tenantId, sid) => (components.tenants.has(tenantId) ? components.tenants.get(tenantId).directory.peek(sid) : undefined),
  });
  const stopOrgLive = attachOrgLiveSockets(io, components);
  return {
    io,
    close: async () => {
      stopBroadcaster();
      stopOrgLive();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
