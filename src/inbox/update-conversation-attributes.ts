import {
  mergeAttributes,
  parseAttributes,
  serializeAttributes,
  type ConversationAttributes,
  type ContactDetails,
  type InboxPriority,
  type InboxStatus,
} from "./conversation-attributes.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface AttributesPatch {
  isStarred?: boolean;
  unreadCount?: number;
  contactDetails?: ContactDetails;
  status?: InboxStatus;
  priority?: InboxPriority;
}

/**
 * Read-modify-write of a conversation's attributes, serialised per conversation: reads the current value from
 * Twilio (never the cache, which may lag another writer), applies `change`, writes it back, refreshes the cache.
 */
export function rewriteAttributes(
  inbox: TenantInbox,
  conversationSid: string,
  change: (current: ConversationAttributes) => ConversationAttributes,
): Promise<ConversationEntry> {
  return inbox.conversationLock.acquire(conversationSid, async () => {
    const current = await inbox.gateway.fetchConversation(conversationSid);
    const next = serializeAttributes(change(parseAttributes(current.attributes)));
    if (next === current.attributes) return inbox.directory.remember(current);
    const updated = await inbox.gateway.updateConversation(conversationSid, { attributes: next });
    return inbox.directory.remember(updated);
  });
}

/** PATCH /conversations/:sid/attributes — merges, never clobbering keys it does not name. */
export function updateConversationAttributes(inbox: TenantInbox, conversationSid: string, patch: AttributesPatch) {
  return rewriteAttributes(inbox, conversationSid, (current) => mergeAttributes(current, patch));
}
