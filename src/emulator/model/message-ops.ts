import { newSid } from "../sid.js";
import { TwilioError, invalidParameter } from "../twilio-error.js";
import { findContent, renderContent } from "./content-ops.js";
import { messageEvent } from "../webhooks/webhook-payloads.js";
import type { OpContext } from "./op-context.js";
import { applyDelivery } from "./delivery.js";
import { attachMedia } from "./media-ops.js";
import type { Conversation, MediaItem, Message, Participant, StoredMedia } from "./types.js";
import { LIMITS, validateAttributes } from "./validate-attributes.js";

export interface MessageInput {
  author?: string;
  body?: string;
  attributes?: string;
  mediaSid?: string;
  media?: MediaItem[];
  contentSid?: string;
  contentVariables?: string;
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
  const attached = input.mediaSid ? attachMedia(op.store, conversation, input.mediaSid) : undefined;
  const media = input.media ?? (attached ? [attached.item] : null);
  if (input.body === undefined && !media && input.contentSid === undefined) {
    throw new TwilioError(400, 50511, "Message must have a body, media or content");
  }
  // A template (ContentSid) is the message's whole content: its text, with the ContentVariables filled in.
  const content = input.contentSid !== undefined ? findContent(op.store, conversation.accountSid, input.contentSid) : undefined;
  if (content && (input.body !== undefined || media)) throw invalidParameter("ContentSid cannot be combined with Body or MediaSid");
  const rendered = content ? renderContent(content, input.contentVariables) : undefined;
  if (input.body !== undefined && input.body.length > LIMITS.messageBodyChars) {
    throw new TwilioError(400, 50504, "Message body parameter is too long");
  }
  op.limits.take(`write:${conversation.sid}`);
  const participants = op.store.participantsOf(conversation.sid);
  if (attached) checkMediaSize(attached.media, participants);
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
    body: rendered ?? input.body ?? null,
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
  if (attached) {
    attached.media.messageSid = message.sid;
    attached.media.conversationSid = conversation.sid;
  }
  op.sink(messageEvent("onMessageAdded", op.source, message, conversation.messagingServiceSid));
  // Outside the window only an approved template reaches a WhatsApp customer.
  if (op.source === "API" && content?.approval?.status !== "approved") {
    const closed = outsideWhatsappWindow(op, participants, message);
    // Twilio accepts the message and fails its delivery to that participant: 63016 "Outside messaging window. For
    // WhatsApp, use a Message Template instead" (https://www.twilio.com/docs/api/errors/63016).
    if (closed.length > 0) applyDelivery({ ...op, source: "WHATSAPP", sink: op.laterSink ?? op.sink }, message, "failed", 63016, closed);
  }
  return message;
}

const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The WhatsApp recipients whose customer service window is closed: they have not written in this conversation within
 * 24 hours of the message, so only a template (ContentSid) may reach them.
 */
function outsideWhatsappWindow(op: OpContext, participants: Participant[], message: Message): string[] {
  const opensAfter = message.dateCreated.getTime() - WHATSAPP_WINDOW_MS;
  const messages = op.store.messagesOf(message.conversationSid);
  return participants
    .filter((p) => p.messagingBinding?.type === "whatsapp" && message.recipientSids.includes(p.sid))
    .filter((p) => !messages.some((m) => m.participantSid === p.sid && m.dateCreated.getTime() > opensAfter))
    .map((p) => p.sid);
}

const MB = 1024 * 1024;

/**
 * Media bound for SMS/WhatsApp recipients must fit their channel: MMS 5 MB ("Accepted content types for media",
 * https://www.twilio.com/docs/messaging/guides/accepted-mime-types), WhatsApp 16 MB and 5 MB for images ("Guidance on
 * WhatsApp Media Messages", https://www.twilio.com/docs/whatsapp/guidance-whatsapp-media-messages). Twilio answers
 * 50512 "Message media size is too large" (https://www.twilio.com/docs/api/errors/50512).
 */
function checkMediaSize(media: StoredMedia, participants: Participant[]): void {
  const size = media.bytes.length;
  const types = new Set(participants.map((p) => p.messagingBinding?.type).filter(Boolean));
  const whatsappLimit = media.contentType.startsWith("image/") ? 5 * MB : 16 * MB;
  if ((types.has("sms") && size > 5 * MB) || (types.has("whatsapp") && size > whatsappLimit)) {
    throw new TwilioError(400, 50512, "Message media size is too large");
  }
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
