import type {
  ConversationRecord,
  ConversationState,
  DeliverySummary,
  MessageRecord,
  MessagingBinding,
  ParticipantRecord,
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
  dateCreated: Date | null;
  dateUpdated: Date | null;
}

const iso = (date: Date | null): string => (date ?? new Date(0)).toISOString();

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
  };
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
