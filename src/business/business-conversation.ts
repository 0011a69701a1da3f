import type { ConversationEntry } from "../inbox/conversation-directory.js";
import { phoneOf } from "../inbox/find-conversation-by-phone.js";
import type { TenantConfig } from "../tenants/tenant-config.js";
import { toBusinessMessage, type BusinessMessage } from "./business-message.js";

/** What a contact adds to its conversations (src/contacts/): the person's name and tags. */
export interface ContactFacts {
  name?: string | null;
  tags?: string[];
}

export type BusinessConversationStatus = "OPEN" | "CLOSED";

/** A conversation in the business API's model. */
export interface BusinessConversation {
  id: string;
  phoneNumber: string | null;
  name: string | null;
  channel: "SMS" | "WhatsApp" | "Email";
  /** CLOSED is the inbox's `resolved` (never Twilio's terminal `closed`): the customer's next message reopens it. */
  status: BusinessConversationStatus;
  assignedTo: string | null;
  tags: string[];
  contactTags: string[];
  unreadCount: number;
  lastMessage: BusinessMessage | null;
  lastMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The attributes the business API adds to a conversation (beside the inbox's own). */
export interface BusinessConversationAttributes {
  assignedTo?: string;
  tags?: string[];
}

export const statusOf = (entry: ConversationEntry): BusinessConversationStatus =>
  entry.attributes.status === "resolved" || entry.record.state === "closed" ? "CLOSED" : "OPEN";

export function toBusinessConversation(entry: ConversationEntry, tenant: TenantConfig, contact?: ContactFacts): BusinessConversation {
  const attributes = entry.attributes as typeof entry.attributes & BusinessConversationAttributes;
  const latest = attributes.summary?.latestMessage ?? null;
  return {
    id: entry.record.sid,
    phoneNumber: phoneOf(entry) ?? null,
    name: contact?.name ?? entry.record.friendlyName ?? null,
    channel: attributes.channel ?? "SMS",
    status: statusOf(entry),
    assignedTo: typeof attributes.assignedTo === "string" ? attributes.assignedTo : null,
    tags: Array.isArray(attributes.tags) ? attributes.tags.filter((tag): tag is string => typeof tag === "string") : [],
    contactTags: contact?.tags ?? [],
    unreadCount: attributes.unreadCount ?? 0,
    lastMessage: latest ? toBusinessMessage(latest, tenant, entry) : null,
    lastMessageAt: latest ? latest.dateCreated : null,
    createdAt: entry.record.dateCreated,
    updatedAt: entry.record.dateUpdated,
  };
}
