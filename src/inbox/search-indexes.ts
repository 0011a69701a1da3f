import type { TenantRegistry } from "../tenants/tenant-registry.js";
import { MessageSearchIndex } from "./message-search-index.js";
import { TenantMessageIndexes } from "./tenant-message-indexes.js";

/** One search index per tenant, made on first use; `feedMessageIndexes` keeps them current. */
export function createSearchIndexes(
  tenants: TenantRegistry,
  options: { maxMessages: number; concurrency: number },
): TenantMessageIndexes<MessageSearchIndex> {
  return new TenantMessageIndexes((tenantId) => new MessageSearchIndex(tenants.get(tenantId), options));
}
