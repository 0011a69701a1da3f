import { hash } from "node:crypto";
import type { ConversationRecord, ConversationState, MessageRecord } from "../inbox/inbox-types.js";
import { toMessageMedia } from "../twilio/record-mappers.js";

/** The post-event webhook fields the gateway reads (Twilio's names), allow-listed; everything else is dropped. */
export interface ConversationEventFields {
  AccountSid: string;
  EventType: string;
  Source?: string;
  ChatServiceSid?: string;
  ConversationSid?: string;
  MessageSid?: string;
  ParticipantSid?: string;
  DeliveryReceiptSid?: string;
  ChannelMessageSid?: string;
  Index?: string;
  Author?: string;
  Body?: string;
  Attributes?: string;
  /** JSON array of `{ Sid, Filename, ContentType, Size }`. */
  Media?: string;
  FriendlyName?: string;
  UniqueName?: string;
  State?: string;
  StateTo?: string;
  Status?: string;
  ErrorCode?: string;
  DateCreated?: string;
  DateUpdated?: string;
}

const FIELDS: Array<keyof ConversationEventFields> = [
  "AccountSid", "EventType", "Source", "ChatServiceSid", "ConversationSid", "MessageSid", "ParticipantSid",
  "DeliveryReceiptSid", "ChannelMessageSid", "Index", "Author", "Body", "Attributes", "Media", "FriendlyName", "UniqueName",
  "State", "StateTo", "Status", "ErrorCode", "DateCreated", "DateUpdated",
];

export function allowListConversationEvent(body: Record<string, unknown>): ConversationEventFields {
  const fields: Record<string, string> = {};
  for (const name of FIELDS) {
    const value = body[name];
    if (typeof value === "string") fields[name] = value;
    else if (typeof value === "number") fields[name] = String(value);
  }
  return fields as unknown as ConversationEventFields;
}

/**
 * What makes one event distinct from another, so a redelivery (with or without its idempotency token) is seen as
 * the same event. Updates include a digest of the changed content: two different updates within Twilio's
 * one-second timestamp resolution stay distinct.
 */
export function eventIdentity(event: ConversationEventFields): string {
  const digest = (...parts: Array<string | undefined>) =>
    hash("sha1", parts.map((part) => part ?? "").join("\u0000"), "hex").slice(0, 16);
  switch (event.EventType) {
    case "onMessageAdded":
    case "onMessageRemoved":
      return `${event.EventType}:${event.MessageSid}`;
    case "onMessageUpdated":
      return `${event.EventType}:${event.MessageSid}:${digest(event.DateUpdated, event.Body, event.Attributes)}`;
    case "onDeliveryUpdated":
      return `${event.EventType}:${event.DeliveryReceiptSid}:${event.Status}`;
    case "onParticipantAdded":
    case "onParticipantRemoved":
      return `${event.EventType}:${event.ParticipantSid}`;
    case "onConversationStateUpdated":
      return `${event.EventType}:${event.ConversationSid}:${event.StateTo}:${digest(event.DateUpdated)}`;
    default:
      return `${event.EventType}:${event.ConversationSid}:${digest(event.DateUpdated, event.Attributes, event.State, event.FriendlyName, event.UniqueName)}`;
  }
}

const iso = (value: string | undefined) => {
  const time = value ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? new Date().toISOString() : new Date(time).toISOString();
};

/** The message as the API shows it, built from the webhook alone (no fetch on the way to the socket). */
export function messageFromEvent(event: ConversationEventFields): MessageRecord {
  return {
    sid: event.MessageSid!,
    conversationSid: event.ConversationSid!,
    index: Number(event.Index ?? 0),
    author: event.Author ?? null,
    body: event.Body ?? null,
    attributes: event.Attributes ?? "{}",
    participantSid: event.ParticipantSid ?? null,
    delivery: null,
    dateCreated: iso(event.DateCreated),
    dateUpdated: iso(event.DateUpdated ?? event.DateCreated),
    ...mediaOf(event),
  };
}

function mediaOf(event: ConversationEventFields): Pick<MessageRecord, "media"> {
  if (!event.Media) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(event.Media);
  } catch {
    return {};
  }
  const media = toMessageMedia(event.ConversationSid!, event.MessageSid!, raw, { sid: "Sid", contentType: "ContentType", filename: "Filename", size: "Size" });
  return media ? { media } : {};
}

export function conversationFromEvent(event: ConversationEventFields): ConversationRecord {
  return {
    sid: event.ConversationSid!,
    accountSid: event.AccountSid,
    chatServiceSid: event.ChatServiceSid ?? "",
    friendlyName: event.FriendlyName ?? null,
    uniqueName: event.UniqueName ?? null,
    attributes: event.Attributes ?? "{}",
    state: (event.State ?? event.StateTo ?? "active") as ConversationState,
    dateCreated: iso(event.DateCreated),
    dateUpdated: iso(event.DateUpdated ?? event.DateCreated),
  };
}

/** A customer wrote it: it came in over SMS/WhatsApp, or its author is a phone address. */
export function isCustomerMessage(event: ConversationEventFields): boolean {
  if (event.Source === "SMS" || event.Source === "WHATSAPP") return true;
  if (event.Author && /^(whatsapp:)?\+\d{2,15}$/.test(event.Author)) return true;
  try {
    return (JSON.parse(event.Attributes ?? "{}") as { direction?: string }).direction === "inbound";
  } catch {
    return false;
  }
}
