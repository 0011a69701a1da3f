import { parseAttributes } from "../inbox/conversation-attributes.js";
import type { ConversationEntry } from "../inbox/conversation-directory.js";
import { bareAddress, phoneOf } from "../inbox/find-conversation-by-phone.js";
import type { MessageRecord } from "../inbox/inbox-types.js";
import type { MessageAttributes } from "../inbox/message-attributes.js";
import type { TenantConfig } from "../tenants/tenant-config.js";

export type BusinessDirection = "INBOUND" | "OUTBOUND";
export type BusinessStatus = "SENT" | "DELIVERED" | "READ" | "FAILED";
export type BusinessType = "TEXT" | "IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" | "TEMPLATE";

/** A message in the business API's model (id, whatsappId, conversationId, direction, type, content, status, from, to, createdAt). */
export interface BusinessMessage {
  id: string;
  /** The SM…/MM… SID Twilio delivered it as on SMS or WhatsApp (Twilio's counterpart of a WhatsApp message id), once known. */
  whatsappId: string | null;
  conversationId: string;
  direction: BusinessDirection;
  type: BusinessType;
  content: { text?: string; mediaUrl?: string; caption?: string; contentType?: string; contentSid?: string };
  status: BusinessStatus;
  channel: "SMS" | "WhatsApp" | "Email";
  from: string | null;
  to: string | null;
  createdAt: string;
}

/** `<ConversationSid>-<MessageSid>`: where the message lives in Twilio, so an id needs no index and survives restarts. */
export const businessMessageId = (conversationSid: string, messageSid: string) => `${conversationSid}-${messageSid}`;

/** A customer's address (`+E164`, `whatsapp:+E164`, an email) as authors of inbound messages are written. */
const CUSTOMER_AUTHOR = /^(whatsapp:\+|\+|[^@\s]+@)/;

/** The inbox's delivery status in the business API's four states (queued counts as SENT: Twilio has accepted it). */
export function businessStatus(status: string | undefined, direction: BusinessDirection): BusinessStatus {
  if (direction === "INBOUND") return "DELIVERED";
  switch (status) {
    case "delivered":
      return "DELIVERED";
    case "read":
      return "READ";
    case "failed":
    case "undelivered":
      return "FAILED";
    default:
      return "SENT";
  }
}

function typeOf(message: MessageRecord): BusinessType {
  if (message.contentSid) return "TEMPLATE";
  const media = message.media?.[0];
  if (!media) return "TEXT";
  const kind = media.contentType.split("/")[0];
  return kind === "image" ? "IMAGE" : kind === "video" ? "VIDEO" : kind === "audio" ? "AUDIO" : "DOCUMENT";
}

/** The business API's view of a conversation message; `entry` (its conversation) gives the customer's number. */
export function toBusinessMessage(message: MessageRecord, tenant: TenantConfig, entry?: ConversationEntry): BusinessMessage {
  const attributes = parseAttributes<MessageAttributes>(message.attributes);
  const inbound = attributes.direction === "inbound" || (attributes.direction === undefined && CUSTOMER_AUTHOR.test(message.author ?? ""));
  const direction: BusinessDirection = inbound ? "INBOUND" : "OUTBOUND";
  const channel = attributes.channel ?? entry?.attributes.channel ?? "SMS";
  const sender = channel === "WhatsApp" ? (tenant.whatsappNumber ? bareAddress(tenant.whatsappNumber) : null) : (tenant.phoneNumber ?? null);
  const customer = inbound ? bareAddress(message.author ?? "") || null : ((entry && phoneOf(entry)) ?? null);
  const type = typeOf(message);
  const media = message.media?.[0];
  const content: BusinessMessage["content"] =
    type === "TEXT"
      ? { text: message.body ?? "" }
      : type === "TEMPLATE"
        ? { contentSid: message.contentSid, text: message.body ?? "" }
        : { mediaUrl: media!.url, contentType: media!.contentType, ...(message.body ? { caption: message.body } : {}) };
  return {
    id: businessMessageId(message.conversationSid, message.sid),
    whatsappId: attributes.twilioMessageId ?? null,
    conversationId: message.conversationSid,
    direction,
    type,
    content,
    status: businessStatus(attributes.status, direction),
    channel,
    from: inbound ? customer : sender,
    to: inbound ? sender : customer,
    createdAt: message.dateCreated,
  };
}
