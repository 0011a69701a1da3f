import { isAppError } from "../errors.js";
import { inferChannel, participantSpecFor, toParticipantTarget } from "./channels.js";
import { serializeAttributes, withParticipants, type ContactDetails } from "./conversation-attributes.js";
import { toView } from "./conversation-views.js";
import type { Channel, ConversationView } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { rewriteAttributes } from "./update-conversation-attributes.js";

export interface CreateConversationInput {
  /** Absent: Twilio leaves the name null. */
  friendlyName?: string;
  participants?: Array<{ userId?: string; phoneNumber?: string; email?: string }>;
  attributes?: { channel?: Channel; contactDetails?: ContactDetails };
  /** The client's Idempotency-Key, recorded in the conversation attributes. */
  idempotencyKey?: string;
}

/**
 * POST /conversations — conversation and participants are created in one Twilio request
 * (ConversationWithParticipants), so a failure leaves nothing half-made. The summary (participants, no message
 * yet) is then written into the attributes so the inbox list never has to fetch it; if that last write fails the
 * conversation still stands and is returned, and the list fetches participants itself.
 */
export async function createConversation(inbox: TenantInbox, input: CreateConversationInput): Promise<ConversationView> {
  const targets = (input.participants ?? []).map((p, i) => toParticipantTarget(p, `participants/${i}`));
  const channel = inferChannel(input.attributes?.channel, targets);
  const specs = targets.map((target, i) => participantSpecFor(inbox.tenant, channel, target, `participants/${i}`));
  const contactDetails = { ...input.attributes?.contactDetails };
  const firstPhone = targets.find((t) => t.kind === "phone");
  const firstEmail = targets.find((t) => t.kind === "email");
  if (firstPhone?.kind === "phone" && contactDetails.phone === undefined) contactDetails.phone = firstPhone.phoneNumber;
  if (firstEmail?.kind === "email" && contactDetails.email === undefined) contactDetails.email = firstEmail.email;

  const attributes = serializeAttributes({
    channel,
    unreadCount: 0,
    isStarred: false,
    contactDetails,
    summary: { latestMessage: null },
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  });
  const created = await inbox.gateway.createConversation({ friendlyName: input.friendlyName, attributes, participants: specs });
  let entry = inbox.directory.remember(created);
  try {
    const participants = specs.length > 0 ? await inbox.gateway.listParticipants(created.sid) : [];
    entry = await rewriteAttributes(inbox, created.sid, (current) => withParticipants(current, participants));
  } catch (error) {
    if (!isAppError(error) || error.status < 500) throw error;
  }
  return toView(inbox, entry);
}
