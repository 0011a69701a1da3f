/** A conversation and the time of its latest activity (ms since the epoch). */
export interface ActivityMark {
  sid: string;
  ms: number;
}

/**
 * Which conversations of a tenant were active lately, newest first, bounded per tenant. Twilio cannot list
 * conversations by activity (only by creation date), so this is how a conversation created long ago, past the
 * directory's bound, stays in the list once it is active again: the directory adds what it records here to the
 * newest conversations it loads. In memory it outlives cache expiry but not a restart; in Redis
 * (`RedisRecentActivity`) it outlives both and is shared by every instance.
 */
export interface RecentActivity {
  /** Records activity (keeps the later time if one is recorded already). Never throws. */
  touch(tenantId: string, mark: ActivityMark): void;
  /** Never throws. */
  remove(tenantId: string, sid: string): void;
  /** The `limit` most recently active, newest first. */
  recent(tenantId: string, limit: number): Promise<ActivityMark[]>;
}

/** One process's record, at most `perTenant` conversations per tenant (the least recently active are dropped). */
export class InMemoryRecentActivity implements RecentActivity {
  private readonly tenants = new Map<string, Map<string, number>>();

  constructor(private readonly perTenant: number) {}

  touch(tenantId: string, { sid, ms }: ActivityMark): void {
    let marks = this.tenants.get(tenantId);
    if (!marks) this.tenants.set(tenantId, (marks = new Map()));
    if ((marks.get(sid) ?? -Infinity) >= ms) return;
    marks.set(sid, ms);
    // Trimmed in batches (a tenth of the bound over it), so a touch costs O(1) amortised.
    if (marks.size > this.perTenant + Math.ceil(this.perTenant / 10)) {
      const kept = [...marks].sort((a, b) => b[1] - a[1]).slice(0, this.perTenant);
      this.tenants.set(tenantId, new Map(kept));
    }
  }

  remove(tenantId: string, sid: string): void {
    this.tenants.get(tenantId)?.delete(sid);
  }

  async recent(tenantId: string, limit: number): Promise<ActivityMark[]> {
    return [...(this.tenants.get(tenantId) ?? [])]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([sid, ms]) => ({ sid, ms }));
  }
}
