import { parseAttributes } from "./conversation-attributes.js";
import { advancesStatus } from "./delivery-status.js";
import type { DeliveryStatus } from "./domain-events.js";
import { messagesGenerationKey } from "./list-messages.js";
import type { MessageAttributes } from "./message-attributes.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface DeliveryDetails {
  errorCode?: number;
  reason?: string;
  /** The SM…/MM… SID Twilio delivered the message as. */
  twilioMessageId?: string;
}

/** Cache key remembering which conversation message an SMS/WhatsApp message SID belongs to. */
export const channelMessageKey = (inbox: TenantInbox, twilioMessageId: string) => inbox.key("channel-message", twilioMessageId);

/**
 * Moves a message's `attributes.status` forward (never backwards; receipts arrive out of order), serialised per
 * message. Returns whether the stored status changed.
 */
export async function applyDeliveryStatus(
  inbox: TenantInbox,
  conversationSid: string,
  messageSid: string,
  status: DeliveryStatus,
  details: DeliveryDetails = {},
): Promise<boolean> {
  if (details.twilioMessageId) inbox.cache.set(channelMessageKey(inbox, details.twilioMessageId), { conversationSid, messageSid });
  return inbox.conversationLock.acquire(`message:${messageSid}`, async () => {
    const message = await inbox.gateway.fetchMessage(conversationSid, messageSid);
    const attributes = parseAttributes<MessageAttributes>(message.attributes);
    const recordsId = details.twilioMessageId !== undefined && attributes.twilioMessageId === undefined;
    if (!advancesStatus(attributes.status, status) && !recordsId) return false;
    const next: MessageAttributes = { ...attributes };
    if (advancesStatus(attributes.status, status)) {
      next.status = status;
      if (details.errorCode !== undefined && details.errorCode !== 0) next.errorCode = details.errorCode;
      if (details.reason) next.reason = details.reason;
    }
    if (recordsId) next.twilioMessageId = details.twilioMessageId;
    await inbox.gateway.updateMessageAttributes(conversationSid, messageSid, JSON.stringify(next));
    inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
    return next.status !== attributes.status;
  });
}
