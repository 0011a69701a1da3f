import type { Socket } from "socket.io";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { AuditLog } from "../logger.js";
import { conversationRoom } from "./chat-events.js";

/**
 * A socket joins one conversation's room (`subscribe:conversation` on /chat, `join-conversation` on /): only a
 * conversation of its tenant (404 otherwise, from the directory when it can), recorded in the audit trail as the
 * live feed it opens.
 */
export async function joinConversationRoom(
  socket: Socket<any, any, any, { tenantId: string; userId: string }>,
  inbox: TenantInbox,
  conversationSid: string,
  audit: AuditLog | undefined,
  { surface, operation }: { surface: string; operation: "subscribe:conversation" | "join-conversation" },
): Promise<void> {
  const { tenantId, userId } = socket.data;
  await inbox.directory.lookup(conversationSid);
  await socket.join(conversationRoom(tenantId, conversationSid));
  audit?.({ action: "conversation.live.conversation", userId, tenantId, surface, operation, conversationSids: [conversationSid] });
}
