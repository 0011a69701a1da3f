import type { Message, MessageStatus } from "./api-types.js";
import { parseJson } from "./conversation-model.js";

interface MessageAttributes {
  channel?: string;
  status?: string;
  direction?: "inbound" | "outbound";
  sentBy?: string;
  errorCode?: number;
  reason?: string;
  idempotencyKey?: string;
  email?: { subject?: string; cc?: string[] };
}

/** A message as the thread shows it: the API's record and what its attributes say. */
export interface ThreadMessage {
  message: Message;
  inbound: boolean;
  status?: MessageStatus;
  errorCode?: number;
  reason?: string;
  idempotencyKey?: string;
  subject?: string;
}

const CUSTOMER_AUTHOR = /^(whatsapp:)?\+\d+$|@/;

export function toThreadMessage(message: Message): ThreadMessage {
  const attributes = parseJson<MessageAttributes>(message.attributes);
  const inbound = attributes.direction === "inbound" || (attributes.direction === undefined && !attributes.sentBy && CUSTOMER_AUTHOR.test(message.author ?? ""));
  return {
    message,
    inbound,
    status: inbound ? undefined : (attributes.status as MessageStatus | undefined) ?? "queued",
    errorCode: attributes.errorCode,
    reason: attributes.reason,
    idempotencyKey: attributes.idempotencyKey,
    subject: attributes.email?.subject,
  };
}

const RANK: Record<string, number> = { sending: -1, queued: 0, sent: 1, delivered: 2, read: 3, failed: 2, undelivered: 2 };

/** Receipts arrive out of order: a status only moves forward, and `read` is final (as the gateway applies them). */
export function advances(current: MessageStatus | undefined, next: string): boolean {
  if (!(next in RANK)) return false;
  if (current === undefined) return true;
  if (current === next || current === "read") return false;
  return RANK[next]! >= RANK[current]!;
}

/** Why Twilio did not deliver, for the error codes a person meets most. */
const TWILIO_REASONS: Record<number, string> = {
  30003: "the handset is unreachable",
  30004: "the message was blocked",
  30005: "the number is unknown or no longer in service",
  30006: "the number is a landline or cannot receive messages",
  30007: "the carrier filtered the message",
  30008: "an unknown delivery error",
  63016: "outside WhatsApp's 24-hour window: a template is needed",
};

export function failureReason(item: Pick<ThreadMessage, "reason" | "errorCode">): string {
  if (item.reason) return item.reason;
  if (item.errorCode) return `${TWILIO_REASONS[item.errorCode] ?? "delivery failed"} (Twilio error ${item.errorCode})`;
  return "delivery failed";
}
