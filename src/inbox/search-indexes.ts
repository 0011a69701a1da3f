import type { TenantRegistry } from "../tenants/tenant-registry.js";
import type { MessageIndexBudget } from "./message-index-budget.js";
import { MessageSearchIndex } from "./message-search-index.js";
import { TenantMessageIndexes } from "./tenant-message-indexes.js";

/** One search index per tenant, made on first use; `feedMessageIndexes` keeps them current, `budget` bounds them all. */
export function createSearchIndexes(
  tenants: TenantRegistry,
  options: { maxMessages: number; concurrency: number },
  budget?: MessageIndexBudget,
): TenantMessageIndexes<MessageSearchIndex> {
  return new TenantMessageIndexes(
    (tenantId) => new MessageSearchIndex(tenants.get(tenantId), { ...options, onBuilt: () => budget?.queueCheck() }),
    budget && { name: "search", of: budget },
  );
}
