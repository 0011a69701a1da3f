import type { Namespace } from "socket.io";
import { AppError } from "../errors.js";
import type { AuditLog } from "../logger.js";
import type { DomainEvents } from "../inbox/domain-events.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import type { BusinessClientToServerEvents, BusinessServerToClientEvents, ConversationRef } from "./business-events.js";
import { conversationRoom, type SocketData } from "./chat-events.js";
import { joinConversationRoom } from "./join-conversation-room.js";
import { CONVERSATION_SID, respond } from "./socket-ack.js";

type BusinessNamespace = Namespace<BusinessClientToServerEvents, BusinessServerToClientEvents, Record<string, never>, SocketData>;

function conversationIdOf(payload: ConversationRef | undefined): string {
  const id = typeof payload === "string" ? payload : (payload as { conversationId?: unknown } | undefined)?.conversationId;
  if (typeof id !== "string" || !CONVERSATION_SID.test(id))
    throw new AppError("validation_failed", "conversationId must be a conversation SID (CH…)", { field: "conversationId" });
  return id;
}

/**
 * The business API's client events on `/` (the socket is already authenticated and in its tenant's feed room, see
 * socket-guard.ts): join and leave a conversation of the tenant, and typing, relayed as the `/chat` typing is (one
 * domain event, so both surfaces hear it).
 */
export function attachBusinessSockets(root: BusinessNamespace, deps: { tenants: TenantRegistry; events: DomainEvents; audit?: AuditLog }): void {
  root.on("connection", (socket) => {
    const { tenantId, userId } = socket.data;
    socket.on("join-conversation", (payload, ack) =>
      respond(ack, async () => {
        const conversationId = conversationIdOf(payload);
        await joinConversationRoom(socket, deps.tenants.get(tenantId), conversationId, deps.audit, { surface: "/", operation: "join-conversation" });
        return { conversationId };
      }),
    );
    socket.on("leave-conversation", (payload, ack) =>
      respond(ack, async () => {
        const conversationId = conversationIdOf(payload);
        await socket.leave(conversationRoom(tenantId, conversationId));
        return { conversationId };
      }),
    );
    for (const [event, typing] of [["typing-start", true], ["typing-stop", false]] as const) {
      socket.on(event, (payload) => {
        let conversationId: string;
        try {
          conversationId = conversationIdOf(payload);
        } catch {
          return;
        }
        // Only a socket that joined the conversation may type into it.
        if (!socket.rooms.has(conversationRoom(tenantId, conversationId))) return;
        deps.events.publish("typing.changed", { tenantId, conversationSid: conversationId, userId, typing, originSocketId: socket.id });
      });
    }
  });
}
