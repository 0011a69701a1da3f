import type { ConversationEntry } from "./conversation-directory.js";
import type { ConversationView } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** Builds API views (record + participants + latest message) with bounded upstream concurrency. */
export function toViews(inbox: TenantInbox, entries: ConversationEntry[]): Promise<ConversationView[]> {
  return inbox.directory.mapBounded(entries, (entry) => toView(inbox, entry));
}

export async function toView(inbox: TenantInbox, entry: ConversationEntry): Promise<ConversationView> {
  const [participants, latestMessage] = await Promise.all([
    inbox.directory.participants(entry),
    inbox.directory.latestMessage(entry),
  ]);
  return { ...entry.record, attributes: entry.publicAttributes, participants, ...(latestMessage ? { latestMessage } : {}) };
}
