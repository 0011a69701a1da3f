import type { TenantRegistry } from "../tenants/tenant-registry.js";
import type { DomainEvents } from "./domain-events.js";
import { MessageSearchIndex } from "./message-search-index.js";

/** One search index per tenant, kept current by the message events webhooks publish. */
export function createSearchIndexes(
  tenants: TenantRegistry,
  events: DomainEvents,
  options: { maxMessages: number; concurrency: number },
): (tenantId: string) => MessageSearchIndex {
  const indexes = new Map(tenants.all().map((inbox) => [inbox.tenant.id, new MessageSearchIndex(inbox, options)]));
  for (const name of ["message.received", "message.sent"] as const) {
    events.on(name, ({ tenantId, message }) => indexes.get(tenantId)?.upsert(message));
  }
  // Tenants created at sign-up join the registry later: their index is made on first use.
  return (tenantId) => {
    let index = indexes.get(tenantId);
    if (!index) {
      index = new MessageSearchIndex(tenants.get(tenantId), options);
      indexes.set(tenantId, index);
    }
    return index;
  };
}
