import type { MessageRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

const PAGE = 100;

/**
 * The newest `limit` messages sent before `before` (all when absent), oldest first, and whether older ones exist.
 * Reads newest-first pages of 100: one upstream call per 100 messages skipped or returned.
 */
export async function readMessageHistory(
  inbox: TenantInbox,
  conversationSid: string,
  options: { limit: number; before?: string },
): Promise<{ messages: MessageRecord[]; hasMore: boolean }> {
  const beforeMs = options.before ? Date.parse(options.before) : Infinity;
  const collected: MessageRecord[] = [];
  let pageToken: string | undefined;
  // One more than asked for tells whether older messages exist.
  while (collected.length <= options.limit) {
    const page = await inbox.gateway.listMessages(conversationSid, { order: "desc", limit: PAGE, pageToken });
    collected.push(...page.items.filter((message) => Date.parse(message.dateCreated) < beforeMs));
    if (!page.nextPageToken) break;
    pageToken = page.nextPageToken;
  }
  return { messages: collected.slice(0, options.limit).reverse(), hasMore: collected.length > options.limit };
}
