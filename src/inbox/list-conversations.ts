import type { ConversationEntry } from "./conversation-directory.js";
import { toViews } from "./conversation-views.js";
import type { ConversationView } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

export type ConversationFilter = "all" | "unread" | "recents" | "starred";

/** `recents`: conversations with activity in this window. */
export const RECENTS_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface ListConversationsQuery {
  limit: number;
  offset: number;
  filter: ConversationFilter;
  search?: string;
}

const FILTERS: Record<ConversationFilter, (entry: ConversationEntry, now: number) => boolean> = {
  all: () => true,
  unread: (entry) => (entry.attributes.unreadCount ?? 0) > 0,
  starred: (entry) => entry.attributes.isStarred === true,
  recents: (entry, now) => now - entry.lastActivityMs <= RECENTS_WINDOW_MS,
};

const byActivity = (a: ConversationEntry, b: ConversationEntry) =>
  b.lastActivityMs - a.lastActivityMs || (a.record.sid < b.record.sid ? -1 : 1);

/**
 * GET /conversations — filtered and searched server-side over the tenant's index, most recent activity first
 * (ties broken by SID so paging is stable), one page from `offset`.
 */
export async function listConversations(
  inbox: TenantInbox,
  query: ListConversationsQuery,
): Promise<{ items: ConversationView[]; hasMore: boolean }> {
  const now = Date.now();
  const needle = query.search?.trim().toLowerCase();
  if (query.filter === "all" && !needle) {
    // Ranked without waiting for the whole index: a cold start answers once Twilio's newest page is read.
    const { conversations, complete } = await inbox.directory.ranked();
    const page = await inbox.directory.entriesOf(conversations.slice(query.offset, query.offset + query.limit));
    return { items: await toViews(inbox, page), hasMore: !complete || conversations.length > query.offset + query.limit };
  }
  const matches = (await inbox.directory.all())
    .filter((entry) => FILTERS[query.filter](entry, now) && (!needle || entry.searchText.includes(needle)))
    .sort(byActivity);
  const page = matches.slice(query.offset, query.offset + query.limit);
  return { items: await toViews(inbox, page), hasMore: matches.length > query.offset + query.limit };
}
