import type { DomainEvents } from "../inbox/domain-events.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import { BusinessMessageIndex } from "./business-message-index.js";

/** One business message index per tenant (made on first use), kept current by the domain events webhooks publish. */
export function createBusinessMessageIndexes(
  tenants: TenantRegistry,
  events: DomainEvents,
  options: { maxMessages: number; concurrency: number },
): (tenantId: string) => BusinessMessageIndex {
  const indexes = new Map<string, BusinessMessageIndex>();
  for (const name of ["message.received", "message.sent"] as const) {
    events.on(name, ({ tenantId, message }) => indexes.get(tenantId)?.upsert(message));
  }
  events.on("delivery.receipt", ({ tenantId, messageSid, status }) => indexes.get(tenantId)?.receipt(messageSid, status));
  events.on("conversation.removed", ({ tenantId, conversationSid }) => indexes.get(tenantId)?.remove(conversationSid));
  return (tenantId) => {
    let index = indexes.get(tenantId);
    if (!index) {
      index = new BusinessMessageIndex(tenants.get(tenantId), options);
      indexes.set(tenantId, index);
    }
    return index;
  };
}
