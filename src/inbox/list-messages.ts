import { AppError } from "../errors.js";
import { openCursor, sealCursor } from "./page-cursor.js";
import type { MessageRecord, RecordPage } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface ListMessagesQuery {
  limit: number;
  order: "asc" | "desc";
  /** Cursor from the previous page's `Link: rel="next"`. */
  pageToken?: string;
  /** Catch-up: only messages with a higher index, oldest first. */
  afterIndex?: number;
}

/** How far back a catch-up reads; a client further behind reloads the conversation instead. */
export const CATCH_UP_MAX_MESSAGES = 1000;
const TWILIO_MAX_PAGE = 100;

/** Key whose generation changes whenever the conversation's messages change. */
export const messagesGenerationKey = (inbox: TenantInbox, conversationSid: string) =>
  inbox.key("messages-generation", conversationSid);

/**
 * The cache key of one page: it names the conversation's current messages generation, so it changes whenever
 * the conversation's messages do (a response derived from the page may be cached under it too).
 */
export function messagesPageKey(inbox: TenantInbox, conversationSid: string, query: ListMessagesQuery): string {
  const generation = inbox.cache.generation(messagesGenerationKey(inbox, conversationSid));
  return inbox.key("messages", conversationSid, generation, query.order, query.limit, query.pageToken ?? "", query.afterIndex ?? "");
}

/** GET /conversations/:sid/messages — one upstream call when cold, none when warm. */
export async function listMessages(
  inbox: TenantInbox,
  conversationSid: string,
  query: ListMessagesQuery,
): Promise<RecordPage<MessageRecord> & { hasMore?: boolean }> {
  const key = messagesPageKey(inbox, conversationSid, query);
  const afterIndex = query.afterIndex;
  const pageToken = query.pageToken === undefined ? undefined : openCursor(inbox, query.pageToken);
  const page = await inbox.cache.getOrLoad(key, async () => {
    if (afterIndex !== undefined) return messagesAfter(inbox, conversationSid, afterIndex, query.limit);
    const read = await inbox.gateway.listMessages(conversationSid, { ...query, pageToken });
    return { ...read, nextPageToken: read.nextPageToken && sealCursor(inbox, read.nextPageToken) };
  });
  // Gone with the generation: the conversation's next new or changed message deletes this page.
  inbox.cache.addDependent(messagesGenerationKey(inbox, conversationSid), key);
  return page;
}

/**
 * Twilio lists messages by page only, so a catch-up reads newest-first pages until it reaches `afterIndex`:
 * one upstream call per 100 missed messages. Returns the oldest `limit` of them, ascending.
 */
async function messagesAfter(inbox: TenantInbox, conversationSid: string, afterIndex: number, limit: number) {
  const missed: MessageRecord[] = [];
  let pageToken: string | undefined;
  for (;;) {
    const page = await inbox.gateway.listMessages(conversationSid, { order: "desc", limit: TWILIO_MAX_PAGE, pageToken });
    const newer = page.items.filter((message) => message.index > afterIndex);
    missed.push(...newer);
    if (newer.length < page.items.length || !page.nextPageToken) break;
    if (missed.length >= CATCH_UP_MAX_MESSAGES)
      throw new AppError("conflict", `more than ${CATCH_UP_MAX_MESSAGES} messages were missed: reload the conversation`, { field: "afterIndex" });
    pageToken = page.nextPageToken;
  }
  missed.reverse();
  return { items: missed.slice(0, limit), hasMore: missed.length > limit };
}
