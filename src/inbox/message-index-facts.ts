import type { DeliveryStatus, DomainEvents } from "./domain-events.js";
import type { MessageRecord } from "./inbox-types.js";
import type { SharedFacts } from "./shared-facts.js";

/** What keeps a per-tenant message index current (search, business API), wherever the webhook landed. */
export type MessageIndexFact =
  | { kind: "message"; tenantId: string; message: MessageRecord }
  | { kind: "receipt"; tenantId: string; messageSid: string; status: DeliveryStatus | "opened" | "clicked" }
  | { kind: "removed"; tenantId: string; conversationSid: string }
  | { kind: "message-removed"; tenantId: string; messageSid: string };

/** A set of per-tenant message indexes as the feed sees it. */
export interface MessageIndexes {
  apply(fact: MessageIndexFact): void;
  /** Drops every index (rebuilt from Twilio on next use): facts may have been missed. */
  dropAll(): void;
}

/**
 * Feeds the message indexes from this instance's domain events and, scaled out, from the other instances' (one bus
 * topic): a webhook lands on one instance, and every instance's indexes hear the new message, its delivery receipts
 * and the removal of the message or its conversation. Remote facts go to the indexes only, never back into the domain events (sockets
 * hear them through the Socket.IO adapter; the analytics counters were kept by the instance that took the webhook).
 */
export function feedMessageIndexes(events: DomainEvents, indexes: MessageIndexes[], shared?: SharedFacts): void {
  const apply = (fact: MessageIndexFact) => indexes.forEach((index) => index.apply(fact));
  const publish = shared?.topic<MessageIndexFact>("message-indexes", apply, () => indexes.forEach((index) => index.dropAll()));
  const happened = (fact: MessageIndexFact) => {
    apply(fact);
    publish?.(fact);
  };
  for (const name of ["message.received", "message.sent"] as const) {
    events.on(name, ({ tenantId, message }) => happened({ kind: "message", tenantId, message }));
  }
  events.on("delivery.receipt", ({ tenantId, messageSid, status }) => happened({ kind: "receipt", tenantId, messageSid, status }));
  events.on("conversation.removed", ({ tenantId, conversationSid }) => happened({ kind: "removed", tenantId, conversationSid }));
  events.on("message.removed", ({ tenantId, messageSid }) => happened({ kind: "message-removed", tenantId, messageSid }));
}
