import { newSid } from "../sid.js";
import { TwilioError, invalidParameter } from "../twilio-error.js";
import { participantEvent } from "../webhooks/webhook-payloads.js";
import type { OpContext } from "./op-context.js";
import type { Conversation, Participant } from "./types.js";
import { LIMITS, validateAttributes } from "./validate-attributes.js";
import { channelOf, validateBinding, validateProjectedAddress } from "./validate-address.js";

export interface ParticipantInput {
  identity?: string;
  address?: string;
  proxyAddress?: string;
  projectedAddress?: string;
  attributes?: string;
  roleSid?: string;
  dateCreated?: Date;
  dateUpdated?: Date;
  lastReadMessageIndex?: number;
  lastReadTimestamp?: string;
}

/** The non-closed conversation (of the same service) already holding this address + proxy pair. */
export function findBindingHolder(
  op: OpContext,
  serviceSid: string,
  address: string,
  proxyAddress: string,
): { conversation: Conversation; participant: Participant } | undefined {
  for (const participant of op.store.participants.values()) {
    const binding = participant.messagingBinding;
    if (binding?.address !== address || binding.proxyAddress !== proxyAddress) continue;
    const conversation = op.store.conversations.get(participant.conversationSid);
    if (conversation && conversation.serviceSid === serviceSid && conversation.state !== "closed") {
      return { conversation, participant };
    }
  }
  return undefined;
}

/** Checks a new participant against Twilio's rules without changing any state. */
export function checkNewParticipant(
  op: OpContext,
  conversation: Conversation,
  input: ParticipantInput,
): void {
  validateAttributes(input.attributes, LIMITS.participantAttributesBytes);
  if (input.address !== undefined) {
    if (input.identity !== undefined) {
      throw invalidParameter("Identity and MessagingBinding.Address cannot be used together");
    }
    validateBinding(input.address, input.proxyAddress);
    const holder = findBindingHolder(op, conversation.serviceSid, input.address, input.proxyAddress!);
    if (holder) {
      throw new TwilioError(
        409,
        50416,
        `A binding for this participant and proxy address already exists in Conversation ${holder.conversation.sid}`,
      );
    }
    return;
  }
  if (input.identity === undefined || input.identity === "") {
    throw invalidParameter("Either Identity or MessagingBinding.Address must be specified");
  }
  if (input.projectedAddress !== undefined) validateProjectedAddress(input.projectedAddress);
  const taken = op.store
    .participantsOf(conversation.sid)
    .some((participant) => participant.identity === input.identity);
  if (taken) throw new TwilioError(409, 50433, "Participant already exists");
}

/** Adds a chat (Identity) or SMS/WhatsApp (MessagingBinding) participant. */
export function addParticipant(
  op: OpContext,
  conversation: Conversation,
  input: ParticipantInput,
): Participant {
  checkNewParticipant(op, conversation, input);
  op.limits.take(`write:${conversation.sid}`);
  const now = new Date();
  const participant: Participant = {
    sid: newSid("MB"),
    accountSid: conversation.accountSid,
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    identity: input.identity ?? null,
    attributes: input.attributes ?? "{}",
    messagingBinding: input.address
      ? {
          type: channelOf(input.address),
          address: input.address,
          proxyAddress: input.proxyAddress ?? null,
          projectedAddress: null,
        }
      : input.projectedAddress
        ? { type: "sms", address: null, proxyAddress: null, projectedAddress: input.projectedAddress }
        : null,
    roleSid: input.roleSid ?? null,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? input.dateCreated ?? now,
    lastReadMessageIndex: null,
    lastReadTimestamp: null,
  };
  op.store.participants.set(participant.sid, participant);
  op.sink(participantEvent("onParticipantAdded", op.source, participant));
  return participant;
}

export function findParticipant(
  op: OpContext,
  conversation: Conversation,
  sidOrIdentity: string,
): Participant {
  const participant = op.store
    .participantsOf(conversation.sid)
    .find((p) => p.sid === sidOrIdentity || (p.identity !== null && p.identity === sidOrIdentity));
  if (!participant) throw new TwilioError(404, 50432, "Participant not found");
  return participant;
}

export function updateParticipant(
  op: OpContext,
  participant: Participant,
  input: ParticipantInput,
): Participant {
  const attributes = validateAttributes(input.attributes, LIMITS.participantAttributesBytes);
  op.limits.take(`write:${participant.conversationSid}`);
  if (attributes !== undefined) participant.attributes = attributes;
  if (input.identity !== undefined) participant.identity = input.identity;
  if (input.roleSid !== undefined) participant.roleSid = input.roleSid;
  if (input.proxyAddress !== undefined && participant.messagingBinding) {
    participant.messagingBinding.proxyAddress = input.proxyAddress;
  }
  if (input.lastReadMessageIndex !== undefined) {
    participant.lastReadMessageIndex = input.lastReadMessageIndex;
  }
  if (input.lastReadTimestamp !== undefined) participant.lastReadTimestamp = input.lastReadTimestamp;
  if (input.dateCreated) participant.dateCreated = input.dateCreated;
  participant.dateUpdated = input.dateUpdated ?? new Date();
  op.sink(participantEvent("onParticipantUpdated", op.source, participant));
  return participant;
}

export function removeParticipant(op: OpContext, participant: Participant): void {
  op.limits.take(`write:${participant.conversationSid}`);
  op.store.participants.delete(participant.sid);
  op.sink(participantEvent("onParticipantRemoved", op.source, participant));
}
