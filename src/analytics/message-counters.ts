import type { Logger } from "pino";
import { parseAttributes } from "../inbox/conversation-attributes.js";
import type { DomainEvents } from "../inbox/domain-events.js";
import type { MessageAttributes } from "../inbox/message-attributes.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { rewriteAttributes } from "../inbox/update-conversation-attributes.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";

/** What is counted per day: messages sent and received, and sent ones that reached delivered, read or failed. */
export const COUNTERS = ["sent", "received", "delivered", "read", "failed"] as const;
export type Counter = (typeof COUNTERS)[number];

/** A conversation's counters, in its attributes: `YYYY-MM-DD` (UTC, the message's creation day) → counts in COUNTERS order. */
export interface ConversationCounters {
  days: Record<string, number[]>;
}

/** Days of counters a conversation keeps (older ones are dropped as new days are written). */
export const COUNTER_DAYS_KEPT = 400;

export const dayOf = (iso: string) => iso.slice(0, 10);

/** Adds one to `counter` of `day` in the attributes' counters, dropping days past COUNTER_DAYS_KEPT. */
export function withCount(attributes: Record<string, unknown>, day: string, counter: Counter) {
  const current = (attributes.counters as ConversationCounters | undefined)?.days ?? {};
  const days: Record<string, number[]> = { ...current };
  const counts = [...(days[day] ?? COUNTERS.map(() => 0))];
  counts[COUNTERS.indexOf(counter)] = (counts[COUNTERS.indexOf(counter)] ?? 0) + 1;
  days[day] = counts;
  const kept = Object.keys(days).sort().slice(-COUNTER_DAYS_KEPT);
  return { ...attributes, counters: { days: Object.fromEntries(kept.map((d) => [d, days[d]!])) } };
}

/** The delivery milestones a status reaches (read implies delivered). */
const MILESTONES: Record<string, Counter[]> = { delivered: ["delivered"], read: ["delivered", "read"], failed: ["failed"], undelivered: ["failed"] };

/**
 * Keeps the analytics counters in Twilio as messages and receipts arrive: each message added counts once as sent
 * or received (webhooks are deduplicated upstream of the domain events); each receipt counts a milestone of a
 * message once — the milestones counted are marked in the message's own attributes, under the lock its delivery
 * status is written with, so a repeated or out-of-order receipt counts nothing twice.
 */
export function startMessageCounters(tenants: TenantRegistry, events: DomainEvents, logger: Logger): () => void {
  const inboxOf = (tenantId: string) => (tenants.has(tenantId) ? tenants.get(tenantId) : undefined);
  const failed = (error: unknown) => logger.warn({ err: error }, "analytics counter not updated");
  const count = (inbox: TenantInbox, conversationSid: string, day: string, counters: Counter[]) =>
    rewriteAttributes(inbox, conversationSid, (current) => counters.reduce((attributes, counter) => withCount(attributes, day, counter), current as Record<string, unknown>));
  const unsubscribers = [
    ...(["message.sent", "message.received"] as const).map((name) =>
      events.on(name, ({ tenantId, conversationSid, message }) => {
        const inbox = inboxOf(tenantId);
        if (inbox) count(inbox, conversationSid, dayOf(message.dateCreated), [name === "message.sent" ? "sent" : "received"]).catch(failed);
      }),
    ),
    events.on("delivery.receipt", ({ tenantId, conversationSid, messageSid, status }) => {
      const inbox = inboxOf(tenantId);
      const milestones = MILESTONES[status];
      if (!inbox || !milestones) return;
      inbox.conversationLock
        .acquire(`message:${messageSid}`, async () => {
          const message = await inbox.gateway.fetchMessage(conversationSid, messageSid);
          const attributes = parseAttributes<MessageAttributes & { counted?: string[] }>(message.attributes);
          const counted = Array.isArray(attributes.counted) ? attributes.counted : [];
          const fresh = milestones.filter((milestone) => !counted.includes(milestone));
          if (fresh.length === 0) return;
          await inbox.gateway.updateMessageAttributes(conversationSid, messageSid, JSON.stringify({ ...attributes, counted: [...counted, ...fresh] }));
          await count(inbox, conversationSid, dayOf(message.dateCreated), fresh);
        })
        .catch(failed);
    }),
  ];
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
