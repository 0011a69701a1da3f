import { AppError, isAppError } from "../errors.js";
import { deleteConversation } from "./delete-conversation.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface DeleteConversationsResult {
  deleted: string[];
  failed: Array<{ sid: string; error: AppError }>;
}

/**
 * Deletes several conversations with the tenant's bounded upstream concurrency, each on its own: one failure
 * does not stop the others. Only when nothing could be deleted because Twilio was unavailable does it throw
 * (503, so the caller retries the whole batch).
 */
export async function deleteConversations(inbox: TenantInbox, conversationSids: string[]): Promise<DeleteConversationsResult> {
  const outcomes = await inbox.directory.mapBounded([...new Set(conversationSids)], async (sid) => {
    try {
      await deleteConversation(inbox, sid);
      return { sid };
    } catch (error) {
      if (!isAppError(error) || error.status === 500) throw error;
      return { sid, error };
    }
  });
  const deleted = outcomes.filter((outcome) => !outcome.error).map((outcome) => outcome.sid);
  const failed = outcomes.flatMap((outcome) => (outcome.error ? [{ sid: outcome.sid, error: outcome.error }] : []));
  const unavailable = failed.find((failure) => failure.error.status >= 500);
  if (deleted.length === 0 && unavailable) throw unavailable.error;
  return { deleted, failed };
}
