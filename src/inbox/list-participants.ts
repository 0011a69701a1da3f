import type { ParticipantRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** A conversation's participants: from its summary or the cache when known, else one upstream call. */
export async function listParticipants(inbox: TenantInbox, conversationSid: string): Promise<ParticipantRecord[]> {
  return inbox.directory.participants(await inbox.directory.get(conversationSid));
}
