import { isAppError } from "../errors.js";
import { participantSpecFor, toParticipantTarget } from "./channels.js";
import { withParticipants } from "./conversation-attributes.js";
import type { Channel, ParticipantRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { rewriteAttributes } from "./update-conversation-attributes.js";

/** POST /conversations/:sid/participants */
export async function addParticipant(
  inbox: TenantInbox,
  conversationSid: string,
  input: { userId?: string; phoneNumber?: string; email?: string },
  /** The binding's channel when the caller chose it; else the conversation's. */
  channel?: Channel,
): Promise<ParticipantRecord> {
  const target = toParticipantTarget(input, "body");
  const conversation = await inbox.directory.get(conversationSid);
  const spec = participantSpecFor(inbox.tenant, channel ?? conversation.attributes.channel ?? "SMS", target);
  const participant = await inbox.gateway.createParticipant(conversationSid, spec);
  await refreshParticipantSummary(inbox, conversationSid);
  return participant;
}

/** DELETE /conversations/:sid/participants/:participantSid */
export async function removeParticipant(inbox: TenantInbox, conversationSid: string, participantSid: string): Promise<void> {
  await inbox.gateway.deleteParticipant(conversationSid, participantSid);
  await refreshParticipantSummary(inbox, conversationSid);
}

/** Re-reads the participants and writes them into the summary; on failure the list falls back to fetching them. */
async function refreshParticipantSummary(inbox: TenantInbox, conversationSid: string): Promise<void> {
  inbox.directory.invalidateDetails(conversationSid);
  try {
    const participants = await inbox.gateway.listParticipants(conversationSid);
    await rewriteAttributes(inbox, conversationSid, (current) => withParticipants(current, participants));
  } catch (error) {
    if (!isAppError(error) || error.status < 500) throw error;
    inbox.directory.evict(conversationSid);
  }
}
