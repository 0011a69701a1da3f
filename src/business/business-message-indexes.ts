import type { MessageIndexBudget } from "../inbox/message-index-budget.js";
import { TenantMessageIndexes } from "../inbox/tenant-message-indexes.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import { BusinessMessageIndex } from "./business-message-index.js";

/** One business message index per tenant, made on first use; `feedMessageIndexes` keeps them current, `budget` bounds them all. */
export function createBusinessMessageIndexes(
  tenants: TenantRegistry,
  options: { maxMessages: number; concurrency: number },
  budget?: MessageIndexBudget,
): TenantMessageIndexes<BusinessMessageIndex> {
  return new TenantMessageIndexes(
    (tenantId) => new BusinessMessageIndex(tenants.get(tenantId), { ...options, onBuilt: () => budget?.queueCheck() }),
    budget && { name: "business", of: budget },
  );
}
