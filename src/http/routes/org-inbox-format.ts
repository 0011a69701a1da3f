import { parseAttributes } from "../../inbox/conversation-attributes.js";
import type { ConversationEntry } from "../../inbox/conversation-directory.js";
import { toSentimentView } from "../../inbox/conversation-sentiment.js";
import { phoneOf } from "../../inbox/find-conversation-by-phone.js";
import type { Channel, MessageRecord } from "../../inbox/inbox-types.js";
import type { MessageAttributes } from "../../inbox/message-attributes.js";

/** Seed 003's snake_case shapes over the shared records. */

const SOURCES: Record<Channel, "sms" | "whatsapp" | "email"> = { SMS: "sms", WhatsApp: "whatsapp", Email: "email" };

export const sourceOf = (channel: Channel | undefined) => SOURCES[channel ?? "SMS"];

export function toOrgConversation(entry: ConversationEntry, latest: MessageRecord | null) {
  const { record, attributes } = entry;
  return {
    id: record.sid,
    patient_name: record.friendlyName ?? phoneOf(entry) ?? attributes.contactDetails?.email ?? record.sid,
    phone: phoneOf(entry) ?? null,
    last_message: latest?.body ?? null,
    last_message_time: latest?.dateCreated ?? record.dateUpdated,
    // Twilio's message index is monotonic, so the latest index + 1 counts every message ever added.
    message_count: latest ? latest.index + 1 : 0,
    unread_count: attributes.unreadCount ?? 0,
    source: sourceOf(attributes.channel),
    status: attributes.status ?? "active",
    priority: attributes.priority ?? "medium",
    sentiment: toSentimentView(attributes.sentiment),
  };
}

export type SenderType = "patient" | "agent" | "system" | "ai";

/** Who wrote a message: a customer (inbound), the system or an AI (as the message's attributes say), else an agent. */
export function senderTypeOf(message: MessageRecord, attributes: MessageAttributes): SenderType {
  if (attributes.senderType === "system" || attributes.senderType === "ai") return attributes.senderType as SenderType;
  if (attributes.direction === "inbound") return "patient";
  if (attributes.direction === "outbound" || attributes.sentBy) return "agent";
  return message.author && /^(whatsapp:)?\+\d+$/.test(message.author) ? "patient" : "agent";
}

function messageTypeOf(message: MessageRecord, attributes: MessageAttributes): "text" | "image" | "audio" | "file" {
  const types = message.media?.length
    ? message.media.map((item) => item.contentType)
    : Array.isArray(attributes.mediaContentTypes)
      ? (attributes.mediaContentTypes as string[])
      : [];
  const first = types[0] ?? "";
  if (first.startsWith("image/")) return "image";
  if (first.startsWith("audio/")) return "audio";
  return first || message.media?.length || Number(attributes.numMedia ?? 0) > 0 ? "file" : "text";
}

export function toOrgMessage(message: MessageRecord, patientName: string) {
  const attributes = parseAttributes<MessageAttributes>(message.attributes);
  const senderType = senderTypeOf(message, attributes);
  return {
    id: message.sid,
    content: message.body ?? "",
    sender_type: senderType,
    sender_name: senderType === "patient" ? patientName : (message.author ?? "agent"),
    timestamp: message.dateCreated,
    message_type: messageTypeOf(message, attributes),
    metadata: {
      index: message.index,
      channel: attributes.channel ?? null,
      direction: senderType === "patient" ? "inbound" : "outbound",
      status: attributes.status ?? (senderType === "patient" ? "received" : null),
      delivery: message.delivery,
      // The gateway's own download URLs for files Twilio holds; else what the inbound SMS webhook recorded.
      ...(message.media?.length
        ? { media_urls: message.media.map((item) => item.url) }
        : Array.isArray(attributes.mediaUrls)
          ? { media_urls: attributes.mediaUrls }
          : {}),
    },
  };
}
