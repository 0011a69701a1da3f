import { withLatestMessage, type ConversationAttributes } from "./conversation-attributes.js";
import { addToSentiment } from "./conversation-sentiment.js";
import type { MessageRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { rewriteAttributes } from "./update-conversation-attributes.js";

/**
 * What one message changes in the conversation's attributes: the latest message; for a customer's message the
 * unread count, the time since which the customer awaits a reply, the rolling sentiment, and a `resolved`
 * conversation back to `active` (the customer wrote again: it belongs in the agents' open views; `pending` stays
 * pending, a wait the agents chose); for an agent's reply the response-time tally. Response time, sentiment and the
 * reopening move only for a message newer than the summary's latest, so applying a message twice (the REST write,
 * then Twilio's webhook; a redelivery after an agent resolved) counts it once and does not undo the resolution.
 */
export function applyMessageToSummary(
  current: ConversationAttributes,
  message: MessageRecord,
  inbound: boolean,
): ConversationAttributes {
  const newer = message.index > (current.summary?.latestMessage?.index ?? -1);
  const next = withLatestMessage(current, message);
  if (inbound) {
    const lastInboundAt =
      current.lastInboundAt && Date.parse(current.lastInboundAt) >= Date.parse(message.dateCreated) ? current.lastInboundAt : message.dateCreated;
    return {
      ...next,
      unreadCount: (current.unreadCount ?? 0) + 1,
      lastInboundAt,
      ...(newer && current.status === "resolved" ? { status: "active" as const } : {}),
      ...(newer && message.body ? { sentiment: addToSentiment(current.sentiment, message.body) } : {}),
      ...(newer && !current.responseStats?.awaitingSince
        ? { responseStats: { totalMs: 0, count: 0, ...current.responseStats, awaitingSince: message.dateCreated } }
        : {}),
    };
  }
  const awaitingSince = current.responseStats?.awaitingSince;
  if (!newer || !awaitingSince) return next;
  const waitedMs = Math.max(0, Date.parse(message.dateCreated) - Date.parse(awaitingSince));
  return {
    ...next,
    responseStats: { totalMs: (current.responseStats?.totalMs ?? 0) + waitedMs, count: (current.responseStats?.count ?? 0) + 1 },
  };
}

/**
 * After the gateway sent a message: its summary moves to it at once. If that write fails (Twilio busy or down), the
 * message still stands and nothing is dropped from the cache — Twilio's onMessageAdded webhook (retried by Twilio)
 * brings the summary up to date, and the inbox list keeps answering from what it has.
 */
export async function summariseSentMessage(inbox: TenantInbox, message: MessageRecord): Promise<void> {
  await rewriteAttributes(inbox, message.conversationSid, (current) => applyMessageToSummary(current, message, false)).catch(() => undefined);
}
