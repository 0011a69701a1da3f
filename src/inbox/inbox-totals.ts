import type { TenantInbox } from "./tenant-inbox.js";

export interface InboxTotals {
  conversations: number;
  /** Conversations whose unreadCount is above 0. */
  unreadConversations: number;
  /** The sum of the unread counts. */
  unreadMessages: number;
  starredConversations: number;
}

/** GET /chat/stats — counted over the tenant's conversation index: no upstream call when warm. */
export async function inboxTotals(inbox: TenantInbox): Promise<InboxTotals> {
  const totals: InboxTotals = { conversations: 0, unreadConversations: 0, unreadMessages: 0, starredConversations: 0 };
  for (const { attributes } of await inbox.directory.all()) {
    const unread = attributes.unreadCount ?? 0;
    totals.conversations++;
    if (unread > 0) totals.unreadConversations++;
    totals.unreadMessages += unread;
    if (attributes.isStarred === true) totals.starredConversations++;
  }
  return totals;
}
