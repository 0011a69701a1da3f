/** A set of per-tenant indexes the budget can weigh and shrink. */
export interface BudgetedIndexes {
  /** Messages held for `tenantId` (0 when it has no index). */
  documentsOf(tenantId: string): number;
  drop(tenantId: string): void;
}

/**
 * One process-wide bound on the messages every tenant's message indexes hold together (the search index and the
 * business message list; `MESSAGE_INDEXES_MAX_MESSAGES`): past it, the least recently used tenant's index is dropped
 * (rebuilt from Twilio on its next use). Each index stays bounded per tenant too (`SEARCH_INDEX_MAX_MESSAGES`); the
 * index in use now is never the one dropped, so one tenant alone may exceed the budget by its own bound.
 */
export class MessageIndexBudget {
  /** Every held index, least recently used first. */
  private readonly used = new Map<string, { indexes: BudgetedIndexes; tenantId: string }>();
  private checkQueued = false;
  readonly stats = { evictions: 0 };

  constructor(private readonly maxMessages: number) {}

  /** The index of `tenantId` in `indexes` (named `name`) was used: it is the last to go. */
  touch(name: string, indexes: BudgetedIndexes, tenantId: string): void {
    const key = `${name}\u0000${tenantId}`;
    this.used.delete(key);
    this.used.set(key, { indexes, tenantId });
    this.queueCheck();
  }

  /** It was dropped elsewhere (every index dropped after a bus reconnect). */
  forget(name: string, tenantId: string): void {
    this.used.delete(`${name}\u0000${tenantId}`);
  }

  /** Messages held over every budgeted index. */
  held(): number {
    let sum = 0;
    for (const { indexes, tenantId } of this.used.values()) sum += indexes.documentsOf(tenantId);
    return sum;
  }

  /** Indexes grew (a build finished, messages arrived): weighs them once this tick is over. */
  queueCheck(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      this.enforce();
    });
  }

  /** Drops least recently used indexes until the rest fit (never the most recent). */
  enforce(): void {
    let held = this.held();
    for (const [key, { indexes, tenantId }] of this.used) {
      if (held <= this.maxMessages || this.used.size <= 1) break;
      held -= indexes.documentsOf(tenantId);
      this.used.delete(key);
      indexes.drop(tenantId);
      this.stats.evictions++;
    }
  }
}
