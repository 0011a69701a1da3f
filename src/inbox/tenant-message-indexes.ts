import type { DeliveryStatus } from "./domain-events.js";
import type { MessageRecord } from "./inbox-types.js";
import type { BudgetedIndexes, MessageIndexBudget } from "./message-index-budget.js";
import type { MessageIndexes, MessageIndexFact } from "./message-index-facts.js";

/** One tenant's message index as its registry drives it. */
export interface TenantMessageIndex {
  upsert(message: MessageRecord): void;
  receipt?(messageSid: string, status: DeliveryStatus | "opened" | "clicked"): void;
  remove?(conversationSid: string): void;
  removeMessage?(messageSid: string): void;
  readonly stats: { documents: number };
}

/**
 * One message index per tenant, made on first use (`make`), fed by `feedMessageIndexes`. A fact for a tenant whose
 * index was never made is ignored: the index is built from Twilio when first used, and holds it then. With a
 * budget, every use is reported to it, and it may drop the least recently used tenants' indexes.
 */
export class TenantMessageIndexes<I extends TenantMessageIndex> implements MessageIndexes, BudgetedIndexes {
  private readonly indexes = new Map<string, I>();

  constructor(
    private readonly make: (tenantId: string) => I,
    private readonly budget?: { name: string; of: MessageIndexBudget },
  ) {}

  get(tenantId: string): I {
    let index = this.indexes.get(tenantId);
    if (!index) this.indexes.set(tenantId, (index = this.make(tenantId)));
    this.budget?.of.touch(this.budget.name, this, tenantId);
    return index;
  }

  documentsOf(tenantId: string): number {
    return this.indexes.get(tenantId)?.stats.documents ?? 0;
  }

  apply(fact: MessageIndexFact): void {
    const index = this.indexes.get(fact.tenantId);
    if (!index) return;
    if (fact.kind === "message") index.upsert(fact.message);
    else if (fact.kind === "receipt") index.receipt?.(fact.messageSid, fact.status);
    else if (fact.kind === "message-removed") index.removeMessage?.(fact.messageSid);
    else index.remove?.(fact.conversationSid);
    if (fact.kind === "message") this.budget?.of.queueCheck();
  }

  /** Forgets a tenant's index: the next use builds a new one from Twilio. */
  drop(tenantId: string): void {
    this.indexes.delete(tenantId);
  }

  dropAll(): void {
    for (const tenantId of this.indexes.keys()) this.budget?.of.forget(this.budget.name, tenantId);
    this.indexes.clear();
  }

  /** Messages held over every tenant. */
  documents(): number {
    let sum = 0;
    for (const index of this.indexes.values()) sum += index.stats.documents;
    return sum;
  }
}
