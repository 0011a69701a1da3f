import { toView } from "./conversation-views.js";
import type { ConversationView } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** GET /conversations/:sid — from the cache when warm. */
export async function getConversation(inbox: TenantInbox, sid: string): Promise<ConversationView> {
  return toView(inbox, await inbox.directory.get(sid));
}
