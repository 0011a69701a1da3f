import { parseAttributes } from "./conversation-attributes.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { MessageRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** How many of a conversation's latest messages are searched for a retried Idempotency-Key after a restart. */
const RECENT_MESSAGES = 50;

/** The message a previous request with this key sent, if it is among the conversation's latest. */
export async function findMessageByIdempotencyKey(inbox: TenantInbox, conversationSid: string, key: string): Promise<MessageRecord | undefined> {
  const page = await inbox.gateway.listMessages(conversationSid, { order: "desc", limit: RECENT_MESSAGES });
  return page.items.find((message) => parseAttributes<{ idempotencyKey?: string }>(message.attributes).idempotencyKey === key);
}

/** The conversation a previous request with this key created, if any. */
export async function findConversationByIdempotencyKey(inbox: TenantInbox, key: string): Promise<ConversationEntry | undefined> {
  return (await inbox.directory.all()).find((entry) => entry.attributes.idempotencyKey === key);
}
