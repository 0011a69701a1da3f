import { AppError } from "../errors.js";
import { parseAttributes } from "./conversation-attributes.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { MessageRecord } from "./inbox-types.js";
import type { MessageAttributes } from "./message-attributes.js";
import type { TenantInbox } from "./tenant-inbox.js";

/**
 * Seed 001's stored SMS, as a view over conversation messages (there is no local store). Its id encodes where the
 * message lives, `<ConversationSid>-<MessageSid>`, so it stays valid across restarts and instances.
 */
export interface StoredSms {
  id: string;
  /** The SMS/WhatsApp message SID (SM…/MM…) when Twilio reported one, else the conversation message SID. */
  messageSid: string;
  accountSid: string;
  conversationSid: string;
  from: string;
  to: string;
  body: string;
  direction: "inbound" | "outbound";
  status: string;
  numMedia: number;
  mediaUrls: string[];
  processed: boolean;
  chatId: string | null;
  responseMessageSid: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  createdAt: string;
  processedAt: string | null;
}

const ID = /^(CH[0-9a-fA-F]{32})-(IM[0-9a-fA-F]{32})$/;

export const storedSmsId = (conversationSid: string, messageSid: string) => `${conversationSid}-${messageSid}`;

export function parseStoredSmsId(id: string): { conversationSid: string; messageSid: string } {
  const match = ID.exec(id);
  if (!match) throw new AppError("validation_failed", "id must be <ConversationSid>-<MessageSid>", { field: "id" });
  return { conversationSid: match[1]!, messageSid: match[2]! };
}

/** The customer's address and the tenant's sender of a conversation, from its summary or contact details. */
function endpointsOf(inbox: TenantInbox, entry: ConversationEntry | undefined) {
  const binding = entry?.attributes.summary?.participants?.find((p) => p.messagingBinding)?.messagingBinding;
  const whatsapp = entry?.attributes.channel === "WhatsApp";
  const customer = binding?.address ?? entry?.attributes.contactDetails?.phone ?? "";
  const sender = binding?.proxyAddress ?? (whatsapp ? inbox.tenant.whatsappNumber : inbox.tenant.phoneNumber) ?? "";
  return { customer, sender };
}

export function toStoredSms(inbox: TenantInbox, message: MessageRecord, entry: ConversationEntry | undefined): StoredSms {
  const attributes = parseAttributes<MessageAttributes & Record<string, unknown>>(message.attributes);
  const inbound = attributes.direction === "inbound" || (!attributes.direction && /^(whatsapp:)?\+\d+$/.test(message.author ?? ""));
  const { customer, sender } = endpointsOf(inbox, entry);
  const text = (key: string) => (typeof attributes[key] === "string" ? (attributes[key] as string) : null);
  // What the message records (every file of a multi-file SMS, as the gateway's download URLs), else its own media's
  // download URLs. (Messages recorded before media were copied into Twilio's MCS list Twilio's MediaUrls here.)
  const mediaUrls = Array.isArray(attributes.mediaUrls)
    ? (attributes.mediaUrls as string[])
    : (message.media ?? []).map((item) => item.url);
  return {
    id: storedSmsId(message.conversationSid, message.sid),
    messageSid: text("messageSid") ?? attributes.twilioMessageId ?? message.sid,
    accountSid: inbox.tenant.accountSid,
    conversationSid: message.conversationSid,
    from: inbound ? (message.author ?? customer) : sender,
    to: inbound ? sender : customer,
    body: message.body ?? "",
    direction: inbound ? "inbound" : "outbound",
    status: attributes.status ?? (inbound ? "received" : "queued"),
    numMedia: Number(attributes.numMedia ?? mediaUrls.length),
    mediaUrls,
    processed: attributes.processed === true,
    chatId: text("chatId"),
    responseMessageSid: text("responseMessageSid"),
    errorCode: typeof attributes.errorCode === "number" ? attributes.errorCode : null,
    errorMessage: attributes.reason ?? null,
    createdAt: message.dateCreated,
    processedAt: text("processedAt"),
  };
}
