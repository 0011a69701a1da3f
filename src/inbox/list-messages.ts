import type { MessageRecord, RecordPage } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface ListMessagesQuery {
  limit: number;
  order: "asc" | "desc";
  /** Cursor from the previous page's `Link: rel="next"`. */
  pageToken?: string;
}

/** Key whose generation changes whenever the conversation's messages change. */
export const messagesGenerationKey = (inbox: TenantInbox, conversationSid: string) =>
  inbox.key("messages-generation", conversationSid);

/** GET /conversations/:sid/messages — one upstream call when cold, none when warm. */
export async function listMessages(
  inbox: TenantInbox,
  conversationSid: string,
  query: ListMessagesQuery,
): Promise<RecordPage<MessageRecord>> {
  const generation = inbox.cache.generation(messagesGenerationKey(inbox, conversationSid));
  const key = inbox.key("messages", conversationSid, generation, query.order, query.limit, query.pageToken ?? "");
  return inbox.cache.getOrLoad(key, () => inbox.gateway.listMessages(conversationSid, query));
}
