import { isAppError } from "../errors.js";
import { withLatestMessage } from "./conversation-attributes.js";
import { messagesGenerationKey } from "./list-messages.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { rewriteAttributes } from "./update-conversation-attributes.js";

/**
 * Deletes one message. Message pages cached for the conversation are dropped; when the deleted message was the
 * summary's latest, the summary takes the message now latest (or none), so the inbox list stops previewing it.
 */
export async function deleteMessage(inbox: TenantInbox, conversationSid: string, messageSid: string): Promise<void> {
  await inbox.gateway.deleteMessage(conversationSid, messageSid);
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  inbox.directory.invalidateDetails(conversationSid);
  const entry = inbox.directory.peek(conversationSid) ?? (await inbox.directory.get(conversationSid));
  if (entry.attributes.summary?.latestMessage?.sid !== messageSid) return;
  try {
    const { items } = await inbox.gateway.listMessages(conversationSid, { order: "desc", limit: 1 });
    await rewriteAttributes(inbox, conversationSid, (current) => {
      if (current.summary?.latestMessage?.sid !== messageSid) return current;
      const cleared = { ...current, summary: { ...current.summary, latestMessage: null } };
      return items[0] ? withLatestMessage(cleared, items[0]) : cleared;
    });
  } catch (error) {
    // The message is gone; only the preview is stale, and a re-read entry fetches what it lacks.
    if (!isAppError(error) || error.status < 500) throw error;
    inbox.directory.evict(conversationSid);
  }
}
