import { AppError } from "../errors.js";
import { CONVERSATIONS_LIMITS } from "./conversations-limits.js";
import type { SentimentState } from "./conversation-sentiment.js";
import type { Channel, MessageRecord, ParticipantRecord } from "./inbox-types.js";

/** Twilio's limit on a conversation's `attributes` JSON string. */
export const ATTRIBUTES_MAX_BYTES = CONVERSATIONS_LIMITS.conversationAttributesBytes;
/** The preview of the latest message kept in the conversation summary. */
export const SUMMARY_BODY_MAX_CHARS = 320;
/** Above this many participants the summary stops listing them and the list fetches them instead. */
export const SUMMARY_MAX_PARTICIPANTS = 20;

export interface ContactDetails {
  email?: string;
  phone?: string;
  ownerId?: string;
  tags?: string[];
  dnd?: boolean;
  [key: string]: unknown;
}

/**
 * What the inbox list shows beside a conversation, kept in its attributes so listing needs no call per
 * conversation. Written by the gateway's own writes (and, later, by webhooks).
 */
export interface ConversationSummary {
  /** `null` records that the conversation has no message yet. */
  latestMessage?: MessageRecord | null;
  participants?: ParticipantRecord[];
}

/** Inbox workflow status (not Twilio's `state`: `closed` is terminal there, and resolved conversations may reopen). */
export type InboxStatus = "active" | "resolved" | "pending";
export type InboxPriority = "high" | "medium" | "low";

/** The conversation `attributes` JSON. Unknown keys are preserved by every write. */
export interface ConversationAttributes {
  channel?: Channel;
  unreadCount?: number;
  isStarred?: boolean;
  contactDetails?: ContactDetails;
  summary?: ConversationSummary;
  status?: InboxStatus;
  priority?: InboxPriority;
  /** Customer message → first agent reply times, for the average response time. */
  responseStats?: { totalMs: number; count: number; awaitingSince?: string };
  sentiment?: SentimentState;
  /** When the customer last wrote (ISO 8601): opens WhatsApp's 24-hour customer service window. */
  lastInboundAt?: string;
  [key: string]: unknown;
}

/** Parses stored attributes; anything that is not a JSON object reads as `{}` (Twilio allows any JSON). */
export function parseAttributes<T extends object = ConversationAttributes>(json: string | null | undefined): T {
  if (!json) return {} as T;
  try {
    const value: unknown = JSON.parse(json);
    return (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as T;
  } catch {
    return {} as T;
  }
}

/** Merges a patch: top-level keys replace, `contactDetails` merges key by key, every other key is kept. */
export function mergeAttributes(current: ConversationAttributes, patch: object): ConversationAttributes {
  const merged: ConversationAttributes = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    merged[key] = key === "contactDetails" ? { ...(current.contactDetails ?? {}), ...(value as ContactDetails) } : value;
  }
  return merged;
}

/** Records a message as the latest unless a later one (higher index) is already there. */
export function withLatestMessage(attributes: ConversationAttributes, message: MessageRecord): ConversationAttributes {
  const current = attributes.summary?.latestMessage;
  if (current && current.index >= message.index) return attributes;
  // Cut at a character boundary: never leave half a surrogate pair (an emoji) at the end.
  const body =
    message.body && message.body.length > SUMMARY_BODY_MAX_CHARS
      ? message.body.slice(0, SUMMARY_BODY_MAX_CHARS).replace(/[\uD800-\uDBFF]$/, "")
      : message.body;
  return { ...attributes, summary: { ...attributes.summary, latestMessage: { ...message, body } } };
}

export function withParticipants(attributes: ConversationAttributes, participants: ParticipantRecord[]): ConversationAttributes {
  const summary = { ...attributes.summary };
  if (participants.length <= SUMMARY_MAX_PARTICIPANTS) summary.participants = participants;
  else delete summary.participants;
  return { ...attributes, summary };
}

/**
 * Serialises for Twilio within its 16 KB limit. The summary is a cache of what Twilio already holds, so it is
 * given up first (participants, then the latest message); the caller's own data never is: past the limit
 * without a summary the write is refused with 400.
 */
export function serializeAttributes(attributes: ConversationAttributes, field = "attributes"): string {
  let json = JSON.stringify(attributes);
  if (fits(json)) return json;
  const { summary, ...rest } = attributes;
  if (summary && summary.latestMessage !== undefined) {
    json = JSON.stringify({ ...rest, summary: { latestMessage: summary.latestMessage } });
    if (fits(json)) return json;
  }
  json = JSON.stringify(rest);
  if (fits(json)) return json;
  throw new AppError("validation_failed", `attributes would exceed Twilio's ${ATTRIBUTES_MAX_BYTES}-byte limit`, { field });
}

const fits = (json: string) => Buffer.byteLength(json) <= ATTRIBUTES_MAX_BYTES;
