import type { MessageRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface ListMessagesQuery {
  limit: number;
  order: "asc" | "desc";
}

/** Key whose generation changes whenever the conversation's messages change. */
export const messagesGenerationKey = (inbox: TenantInbox, conversationSid: string) =>
  inbox.key("messages-generation", conversationSid);

/** GET /conversations/:sid/messages — one upstream call when cold, none when warm. */
export async function listMessages(
  inbox: TenantInbox,
  conversationSid: string,
  query: ListMessagesQuery,
): Promise<{ items: MessageRecord[]; hasMore: boolean }> {
  const generation = inbox.cache.generation(messagesGenerationKey(inbox, conversationSid));
  return inbox.cache.getOrLoad(inbox.key("messages", conversationSid, generation, query.order, query.limit), () =>
    inbox.gateway.listMessages(conversationSid, query),
  );
}
