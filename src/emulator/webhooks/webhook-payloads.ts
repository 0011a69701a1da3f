import { isoDate } from "../format-date.js";
import type { Conversation, Message, Participant, Receipt } from "../model/types.js";
import type { EventSource, WebhookEvent, WebhookEventType } from "./webhook-event.js";

// Parameters per event as listed in Twilio's "Conversations Webhooks" page (post-event webhooks).
// Null values are left out, as Twilio omits absent parameters from the form body.

function event(
  eventType: WebhookEventType,
  source: EventSource,
  base: { accountSid: string; serviceSid: string },
  params: Record<string, string | number | null | undefined>,
): WebhookEvent {
  const form: Record<string, string> = {
    AccountSid: base.accountSid,
    EventType: eventType,
    Source: source,
    ChatServiceSid: base.serviceSid,
  };
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) form[key] = String(value);
  }
  return { accountSid: base.accountSid, serviceSid: base.serviceSid, eventType, params: form };
}

function conversationParams(c: Conversation) {
  return {
    ConversationSid: c.sid,
    MessagingServiceSid: c.messagingServiceSid,
    FriendlyName: c.friendlyName,
    UniqueName: c.uniqueName,
    Attributes: c.attributes,
    State: c.state,
    DateCreated: isoDate(c.dateCreated),
  };
}

export function conversationEvent(
  type: "onConversationAdded" | "onConversationUpdated" | "onConversationRemoved",
  source: EventSource,
  c: Conversation,
  extra: Record<string, string | null> = {},
): WebhookEvent {
  const dates =
    type === "onConversationAdded"
      ? {}
      : type === "onConversationUpdated"
        ? { DateUpdated: isoDate(c.dateUpdated) }
        : { DateUpdated: isoDate(c.dateUpdated), DateRemoved: isoDate(new Date()) };
  return event(type, source, c, {
    ...conversationParams(c),
    ...dates,
    ...extra,
  });
}

export function stateUpdatedEvent(
  source: EventSource,
  c: Conversation,
  from: string,
): WebhookEvent {
  return event("onConversationStateUpdated", source, c, {
    ConversationSid: c.sid,
    MessagingServiceSid: c.messagingServiceSid,
    StateFrom: from,
    StateTo: c.state,
    StateUpdated: isoDate(c.dateUpdated),
    Reason: "API",
  });
}

function participantParams(p: Participant) {
  const binding = p.messagingBinding;
  return {
    ConversationSid: p.conversationSid,
    ParticipantSid: p.sid,
    Identity: p.identity,
    RoleSid: p.roleSid,
    Attributes: p.attributes,
    "MessagingBinding.Type": binding?.type,
    "MessagingBinding.Address": binding?.address,
    "MessagingBinding.ProxyAddress": binding?.proxyAddress,
    "MessagingBinding.ProjectedAddress": binding?.projectedAddress,
    DateCreated: isoDate(p.dateCreated),
  };
}

export function participantEvent(
  type: "onParticipantAdded" | "onParticipantUpdated" | "onParticipantRemoved",
  source: EventSource,
  p: Participant,
): WebhookEvent {
  const extra =
    type === "onParticipantAdded"
      ? {}
      : type === "onParticipantUpdated"
        ? { DateUpdated: isoDate(p.dateUpdated), LastReadMessageIndex: p.lastReadMessageIndex }
        : { DateUpdated: isoDate(p.dateUpdated), DateRemoved: isoDate(new Date()) };
  return event(type, source, p, { ...participantParams(p), ...extra });
}

export function messageEvent(
  type: "onMessageAdded" | "onMessageUpdated" | "onMessageRemoved",
  source: EventSource,
  m: Message,
  messagingServiceSid: string | null,
): WebhookEvent {
  const extra =
    type === "onMessageAdded"
      ? {}
      : type === "onMessageUpdated"
        ? { DateUpdated: isoDate(m.dateUpdated) }
        : { DateUpdated: isoDate(m.dateUpdated), DateRemoved: isoDate(new Date()) };
  return event(type, source, m, {
    ConversationSid: m.conversationSid,
    MessageSid: m.sid,
    MessagingServiceSid: messagingServiceSid,
    Index: m.index,
    DateCreated: isoDate(m.dateCreated),
    Body: m.body,
    Author: m.author,
    ParticipantSid: m.participantSid,
    Attributes: m.attributes,
    Media: m.media ? JSON.stringify(m.media.map(mediaParam)) : null,
    ...extra,
  });
}

// Webhook media objects use PascalCase keys (Sid, Filename, ContentType, Size).
function mediaParam(item: NonNullable<Message["media"]>[number]) {
  return { Sid: item.sid, Filename: item.filename, ContentType: item.content_type, Size: item.size };
}

export function deliveryEvent(r: Receipt, source: EventSource): WebhookEvent {
  return event("onDeliveryUpdated", source, r, {
    ConversationSid: r.conversationSid,
    MessageSid: r.messageSid,
    DeliveryReceiptSid: r.sid,
    ChannelMessageSid: r.channelMessageSid,
    ParticipantSid: r.participantSid,
    Status: r.status,
    ErrorCode: r.errorCode === 0 ? null : r.errorCode,
    DateCreated: isoDate(r.dateCreated),
    DateUpdated: isoDate(r.dateUpdated),
  });
}
