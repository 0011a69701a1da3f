import { applyMessageToSummary } from "./apply-message-to-summary.js";
import type { Channel, MessageRecord } from "./inbox-types.js";
import { messagesGenerationKey } from "./list-messages.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { rewriteAttributes } from "./update-conversation-attributes.js";

/**
 * Records a message Twilio reported as added: the conversation's message pages are invalidated, its latest message
 * (in the summary, and beside it) moves to the new one and, for a customer's message, its unread count goes up by
 * one. Writes to one conversation are serialised, so concurrent inbound messages never lose an increment.
 */
export async function recordMessageAdded(
  inbox: TenantInbox,
  message: MessageRecord,
  origin: { inbound: boolean; channel?: Channel; customerAddress?: string },
): Promise<void> {
  const sid = message.conversationSid;
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, sid));
  // Before the unread count moves: a view then shows the new message with the old count — Twilio's own state
  // between the message and the attributes write — never the new count beside an older (or no) preview.
  inbox.directory.rememberLatestMessage(message);
  const cached = inbox.directory.peek(sid)?.attributes.summary?.latestMessage;
  // An agent's message sent through the gateway is already in the summary: nothing to write.
  if (!origin.inbound && cached && cached.index >= message.index) return;
  await rewriteAttributes(inbox, sid, (current) => {
    const next = applyMessageToSummary(current, message, origin.inbound);
    if (!origin.inbound) return next;
    const contactDetails = { ...current.contactDetails };
    if (origin.customerAddress && contactDetails.phone === undefined && /^\+\d+$/.test(origin.customerAddress))
      contactDetails.phone = origin.customerAddress;
    return {
      ...next,
      ...(current.channel === undefined && origin.channel ? { channel: origin.channel } : {}),
      contactDetails,
    };
  });
}
