import { mediaDownloadPath } from "../media/media-url.js";
import type {
  ConversationRecord,
  ConversationState,
  DeliverySummary,
  MessageMedia,
  MessageRecord,
  MessagingBinding,
  ParticipantRecord,
  ServiceRecord,
} from "../inbox/inbox-types.js";

/** Structural views of the SDK instances: only the fields the gateway reads. */
interface ConversationLike {
  sid: string;
  accountSid: string;
  chatServiceSid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  attributes: string | null;
  state: string | null;
  dateCreated: Date | null;
  dateUpdated: Date | null;
}

interface ParticipantLike {
  sid: string;
  conversationSid: string;
  identity: string | null;
  attributes: string | null;
  messagingBinding: unknown;
  dateCreated: Date | null;
  dateUpdated: Date | null;
}

interface MessageLike {
  sid: string;
  conversationSid: string;
  index: number;
  author: string | null;
  body: string | null;
  attributes: string | null;
  participantSid: string | null;
  delivery: unknown;
  media?: unknown;
  contentSid?: string | null;
  dateCreated: Date | null;
  dateUpdated: Date | null;
}

interface ServiceLike {
  sid: string;
  accountSid: string;
  friendlyName: string | null;
  dateCreated: Date | null;
  dateUpdated: Date | null;
}

const iso = (date: Date | null): string => (date ?? new Date(0)).toISOString();

export function toServiceRecord(s: ServiceLike): ServiceRecord {
  return { sid: s.sid, accountSid: s.accountSid, friendlyName: s.friendlyName ?? null, dateCreated: iso(s.dateCreated), dateUpdated: iso(s.dateUpdated ?? s.dateCreated) };
}

export function toConversationRecord(c: ConversationLike): ConversationRecord {
  return {
    sid: c.sid,
    accountSid: c.accountSid,
    chatServiceSid: c.chatServiceSid,
    friendlyName: c.friendlyName ?? null,
    uniqueName: c.uniqueName ?? null,
    attributes: c.attributes ?? "{}",
    state: (c.state ?? "active") as ConversationState,
    dateCreated: iso(c.dateCreated),
    dateUpdated: iso(c.dateUpdated ?? c.dateCreated),
  };
}

export function toParticipantRecord(p: ParticipantLike): ParticipantRecord {
  return {
    sid: p.sid,
    conversationSid: p.conversationSid,
    identity: p.identity ?? null,
    attributes: p.attributes ?? "{}",
    messagingBinding: toBinding(p.messagingBinding),
    dateCreated: iso(p.dateCreated),
    dateUpdated: iso(p.dateUpdated ?? p.dateCreated),
  };
}

export function toMessageRecord(m: MessageLike): MessageRecord {
  const media = toMessageMedia(m.conversationSid, m.sid, m.media, { sid: "sid", contentType: "content_type", filename: "filename", size: "size" });
  return {
    sid: m.sid,
    conversationSid: m.conversationSid,
    index: m.index,
    author: m.author ?? null,
    body: m.body ?? null,
    attributes: m.attributes ?? "{}",
    participantSid: m.participantSid ?? null,
    delivery: toDelivery(m.delivery),
    dateCreated: iso(m.dateCreated),
    dateUpdated: iso(m.dateUpdated ?? m.dateCreated),
    ...(media ? { media } : {}),
    ...(m.contentSid ? { contentSid: m.contentSid } : {}),
  };
}

/**
 * A message's media: Twilio's message JSON names the fields `sid`, `content_type`, `filename`, `size`; its
 * onMessageAdded webhook `Sid`, `ContentType`, `Filename`, `Size`. Undefined when there is none.
 */
export function toMessageMedia(
  conversationSid: string,
  messageSid: string,
  raw: unknown,
  keys: { sid: string; contentType: string; filename: string; size: string },
): MessageMedia[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return raw
    .filter((item): item is Record<string, unknown> => Boolean(item) && typeof item === "object" && typeof (item as Record<string, unknown>)[keys.sid] === "string")
    .map((item) => {
      const sid = item[keys.sid] as string;
      return {
        sid,
        contentType: typeof item[keys.contentType] === "string" ? (item[keys.contentType] as string) : "application/octet-stream",
        filename: typeof item[keys.filename] === "string" && item[keys.filename] !== "" ? (item[keys.filename] as string) : null,
        size: Number(item[keys.size] ?? 0) || 0,
        url: mediaDownloadPath(conversationSid, messageSid, sid),
      };
    });
}

/** Twilio's messaging_binding is snake_case JSON: { type, address, proxy_address }. */
export function toBinding(raw: unknown): MessagingBinding | null {
  if (!raw || typeof raw !== "object") return null;
  const b = raw as Record<string, unknown>;
  if (typeof b.address !== "string") return null;
  return {
    type: typeof b.type === "string" ? b.type : "sms",
    address: b.address,
    proxyAddress: typeof b.proxy_address === "string" ? b.proxy_address : null,
  };
}

function toDelivery(raw: unknown): DeliverySummary | null {
  if (!raw || typeof raw !== "object") return null;
  const d = raw as Record<string, unknown>;
  const text = (key: string) => (typeof d[key] === "string" ? (d[key] as string) : "none");
  return {
    total: typeof d.total === "number" ? d.total : Number(d.total ?? 0),
    sent: text("sent"),
    delivered: text("delivered"),
    read: text("read"),
    failed: text("failed"),
    undelivered: text("undelivered"),
  };
}
