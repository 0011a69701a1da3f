import { AppError } from "../errors.js";
import { parseAttributes, type ConversationAttributes } from "./conversation-attributes.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { TenantInbox } from "./tenant-inbox.js";

/**
 * WhatsApp's customer service window: a business may write free-form for 24 hours after the customer's last message;
 * outside it (and to open a conversation) only an approved template, sent with `ContentSid`
 * (https://www.twilio.com/docs/api/errors/63016).
 */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface WhatsappWindow {
  open: boolean;
  /** When it closes (or closed); null when the customer never wrote. */
  expiresAt: string | null;
}

/** The window as the conversation attributes record it (`lastInboundAt`, written when a customer's message arrives). */
export function whatsappWindowOf(attributes: ConversationAttributes, now = Date.now()): WhatsappWindow {
  const last = attributes.lastInboundAt ? Date.parse(attributes.lastInboundAt) : NaN;
  if (Number.isNaN(last)) return { open: false, expiresAt: null };
  const expires = last + WHATSAPP_WINDOW_MS;
  return { open: now < expires, expiresAt: new Date(expires).toISOString() };
}

/** How many of the latest messages are read for a customer's message when the attributes predate `lastInboundAt`. */
const FALLBACK_MESSAGES = 50;

/**
 * Refuses free-form WhatsApp outside the window, before anything is sent (409 `whatsapp_window_closed`). A
 * conversation whose attributes predate `lastInboundAt` has its latest messages read once to find the customer's.
 */
export async function assertWhatsappWindowOpen(inbox: TenantInbox, conversation: ConversationEntry): Promise<void> {
  let attributes = conversation.attributes;
  if (attributes.lastInboundAt === undefined) {
    const page = await inbox.gateway.listMessages(conversation.record.sid, { order: "desc", limit: FALLBACK_MESSAGES });
    const inbound = page.items.find((message) => {
      const direction = parseAttributes<{ direction?: string }>(message.attributes).direction;
      return direction === "inbound" || (direction === undefined && /^whatsapp:\+\d+$/.test(message.author ?? ""));
    });
    if (inbound) attributes = { ...attributes, lastInboundAt: inbound.dateCreated };
  }
  const window = whatsappWindowOf(attributes);
  if (window.open) return;
  throw new AppError(
    "whatsapp_window_closed",
    window.expiresAt
      ? `WhatsApp's 24-hour window closed at ${window.expiresAt}: send an approved template (contentSid) until the customer writes again`
      : "the customer has not written yet: on WhatsApp a conversation opens with an approved template (contentSid)",
    { field: "body", details: { expiresAt: window.expiresAt } },
  );
}
