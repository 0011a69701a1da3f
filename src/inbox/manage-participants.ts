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

/**
 * After a participant change made here: the summary is brought up to date; if Twilio fails meanwhile, the change
 * itself stands and Twilio's onParticipantAdded/Removed webhook (retried until it succeeds) brings it up to date.
 */
async function refreshParticipantSummary(inbox: TenantInbox, conversationSid: string): Promise<void> {
  try {
    await syncParticipantSummary(inbox, conversationSid);
  } catch (error) {
    if (!isAppError(error) || error.status < 500) throw error;
    inbox.directory.evict(conversationSid);
  }
}

/**
 * Re-reads the conversation's participants and writes them into its summary (nothing is written when it already
 * holds them). Also what a participant change made outside the gateway (Twilio console, another app) triggers
 * through its webhook: the list reads participants from the summary, so it must not keep an old set.
 */
export async function syncParticipantSummary(inbox: TenantInbox, conversationSid: string): Promise<void> {
  inbox.directory.invalidateDetails(conversationSid);
  const participants = await inbox.gateway.listParticipants(conversationSid);
  await rewriteAttributes(inbox, conversationSid, (current) => withParticipants(current, participants));
}
