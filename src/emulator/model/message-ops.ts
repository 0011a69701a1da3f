import { newSid } from "../sid.js";
import { TwilioError } from "../twilio-error.js";
import { messageEvent } from "../webhooks/webhook-payloads.js";
import type { OpContext } from "./op-context.js";
import type { Conversation, MediaItem, Message, Participant } from "./types.js";
import { LIMITS, validateAttributes } from "./validate-attributes.js";

export interface MessageInput {
  author?: string;
  body?: string;
  attributes?: string;
  mediaSid?: string;
  media?: MediaItem[];
  contentSid?: string;
  dateCreated?: Date;
  dateUpdated?: Date;
}


function authorParticipant(participants: Participant[], author: string): Participant | undefined {
  return participants.find(
    (p) => p.identity === author || (p.messagingBinding && p.messagingBinding.address === author),
  );
}

/** Adds a message with the conversation's next index; recipients are the non-chat participants. */
export function addMessage(op: OpContext, conversation: Conversation, input: MessageInput): Message {
  const attributes = validateAttributes(input.attributes, LIMITS.messageAttributesBytes) ?? "{}";
  const media = input.media ?? (input.mediaSid ? [mediaFromSid(input.mediaSid)] : null);
  if (input.body === undefined && !media && input.contentSid === undefined) {
    throw new TwilioError(400, 50511, "Message must have a body, media or content");
  }
  if (input.body !== undefined && input.body.length > LIMITS.messageBodyChars) {
    throw new TwilioError(400, 50504, "Message body parameter is too long");
  }
  op.limits.take(`write:${conversation.sid}`);
  const participants = op.store.participantsOf(conversation.sid);
  const author = input.author ?? "system";
  const authoredBy = authorParticipant(participants, author);
  const now = new Date();
  const message: Message = {
    sid: newSid("IM"),
    accountSid: conversation.accountSid,
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    index: conversation.nextIndex++,
    author,
    body: input.body ?? null,
    media,
    attributes,
    participantSid: authoredBy?.sid ?? null,
    contentSid: input.contentSid ?? null,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? input.dateCreated ?? now,
    recipientSids: participants
      .filter((p) => p.messagingBinding?.address && p.sid !== authoredBy?.sid)
      .map((p) => p.sid),
  };
  op.store.messages.set(message.sid, message);
  op.sink(messageEvent("onMessageAdded", op.source, message, conversation.messagingServiceSid));
  return message;
}

function mediaFromSid(sid: string): MediaItem {
  return { sid, content_type: "image/jpeg", filename: `${sid}.jpg`, size: 0, category: "media" };
}

export function updateMessage(
  op: OpContext,
  conversation: Conversation,
  message: Message,
  input: MessageInput,
): Message {
  const attributes = validateAttributes(input.attributes, LIMITS.messageAttributesBytes);
  op.limits.take(`write:${conversation.sid}`);
  if (input.author !== undefined) message.author = input.author;
  if (input.body !== undefined) message.body = input.body;
  if (attributes !== undefined) message.attributes = attributes;
  if (input.dateCreated) message.dateCreated = input.dateCreated;
  message.dateUpdated = input.dateUpdated ?? new Date();
  op.sink(messageEvent("onMessageUpdated", op.source, message, conversation.messagingServiceSid));
  return message;
}

export function removeMessage(op: OpContext, conversation: Conversation, message: Message): void {
  op.limits.take(`write:${conversation.sid}`);
  op.store.deleteMessage(message);
  op.sink(messageEvent("onMessageRemoved", op.source, message, conversation.messagingServiceSid));
}
