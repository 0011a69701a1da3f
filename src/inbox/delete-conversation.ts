import { isAppError } from "../errors.js";
import { messagesGenerationKey } from "./list-messages.js";
import type { TenantInbox } from "./tenant-inbox.js";

/**
 * Deletes a conversation for good (Twilio has no undo). The cache forgets it even when Twilio says it was
 * already gone, so the list never shows a conversation that no longer exists.
 */
export async function deleteConversation(inbox: TenantInbox, conversationSid: string): Promise<void> {
  try {
    await inbox.gateway.deleteConversation(conversationSid);
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") forget(inbox, conversationSid);
    throw error;
  }
  forget(inbox, conversationSid);
}

function forget(inbox: TenantInbox, conversationSid: string): void {
  inbox.directory.forget(conversationSid);
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
}
