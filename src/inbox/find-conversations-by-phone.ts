import { isAppError } from "../errors.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { MessagingBinding } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface PhoneConversation {
  entry: ConversationEntry;
  /** The participants of this conversation bound to the phone (SMS and/or WhatsApp). */
  participants: Array<{ sid: string; messagingBinding: MessagingBinding | null }>;
}

/**
 * Every conversation of the tenant a phone number takes part in, over SMS (`+E164`) or WhatsApp
 * (`whatsapp:+E164`), from Twilio's own address index (ParticipantConversations): no scan of the conversations.
 * At most `limit` conversations; their records come from the cache when warm.
 */
export async function findConversationsByPhone(inbox: TenantInbox, phone: string, limit: number): Promise<PhoneConversation[]> {
  const found = (
    await Promise.all([phone, `whatsapp:${phone}`].map((address) => inbox.gateway.findConversationsByAddress(address, limit)))
  ).flat();
  const bySid = new Map<string, PhoneConversation["participants"]>();
  for (const row of found) {
    const participants = bySid.get(row.conversationSid) ?? [];
    participants.push({ sid: row.participantSid, messagingBinding: row.messagingBinding });
    bySid.set(row.conversationSid, participants);
  }
  const matches = await inbox.directory.mapBounded([...bySid].slice(0, limit), async ([sid, participants]) => {
    try {
      return { entry: await inbox.directory.get(sid), participants };
    } catch (error) {
      // Deleted between Twilio's index and the read: not a match any more.
      if (isAppError(error) && error.code === "not_found") return undefined;
      throw error;
    }
  });
  return matches.filter((match): match is PhoneConversation => match !== undefined);
}
