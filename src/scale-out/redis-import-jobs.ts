import type { Redis } from "ioredis";
import { JOBS_KEPT_PER_TENANT, type ImportJobRecord, type ImportJobStore, type LiveImportJob, type RejectedRow } from "../contacts/import-job-store.js";
import type { ImportJob, RowError } from "../contacts/import-jobs.js";

/** How long a job is kept after its last progress (it is only read while someone follows it). */
const KEPT_MS = 24 * 60 * 60 * 1000;
/** How long a running job's heartbeat lasts (renewed every second): a job whose instance died shows `interrupted` after it. */
const LEASE_MS = 15_000;

const prefix = (tenantId: string) => `switchboard:import:${tenantId}:`;
const keysOf = (tenantId: string, jobId: string) => {
  const base = prefix(tenantId) + jobId;
  return { job: base, errors: `${base}:errors`, rejected: `${base}:rejected`, alive: `${base}:alive`, index: `switchboard:imports:${tenantId}` };
};

// KEYS[1]: the tenant's jobs (sorted by start). ARGV: job id, its start, how many to keep, key prefix, TTL. Forgets the
// oldest jobs past the bound, except running ones (their heartbeat is alive).
const KEEP_NEWEST = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess <= 0 then return 0 end
local dropped = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if dropped >= excess then break end
  local base = ARGV[4] .. id
  if redis.call('EXISTS', base .. ':alive') == 0 then
    redis.call('DEL', base, base .. ':errors', base .. ':rejected')
    redis.call('ZREM', KEYS[1], id)
    dropped = dropped + 1
  end
end
return dropped`;

/**
 * Import jobs in Redis, so any instance answers for a job another one runs. Per job: a hash (counts, header, when its
 * instance last wrote), a list of the listed errors (≤ 1,000), a list of the rejected rows (≤ MAX_REJECTED_BYTES,
 * 1 MiB), and a heartbeat key the running instance renews every second (LEASE_MS). Only the running instance writes,
 * appending what is new since its last write. A job still `processing` without a heartbeat reads as `interrupted`.
 * Kept 24 h after the last write, the last 20 per tenant (running ones never dropped). Single Redis only (the
 * script touches keys it derives).
 */
export class RedisImportJobStore implements ImportJobStore {
  /** Per running job: how many of its errors and rejected rows are in Redis already. */
  private readonly written = new WeakMap<LiveImportJob, { errors: number; rejected: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly leaseMs = LEASE_MS,
  ) {}

  async start(tenantId: string, live: LiveImportJob): Promise<void> {
    this.written.set(live, { errors: 0, rejected: 0 });
    await this.progress(tenantId, live);
    const keys = keysOf(tenantId, live.job.id);
    await this.redis.eval(KEEP_NEWEST, 1, keys.index, live.job.id, Date.parse(live.job.startedAt), JOBS_KEPT_PER_TENANT, prefix(tenantId), KEPT_MS);
  }

  async progress(tenantId: string, live: LiveImportJob): Promise<void> {
    const written = this.written.get(live) ?? { errors: 0, rejected: 0 };
    const errors = live.job.errors.slice(written.errors);
    const rejected = live.rejected.slice(written.rejected);
    const { errors: _listed, ...counts } = live.job;
    const keys = keysOf(tenantId, live.job.id);
    const batch = this.redis.multi().hset(keys.job, {
      job: JSON.stringify(counts),
      header: JSON.stringify(live.header),
      rejectedLeftOut: live.rejectedLeftOut,
      heardAt: new Date().toISOString(),
    });
    if (errors.length > 0) batch.rpush(keys.errors, ...errors.map((error) => JSON.stringify(error)));
    if (rejected.length > 0) batch.rpush(keys.rejected, ...rejected.map((row) => JSON.stringify(row)));
    for (const key of [keys.job, keys.errors, keys.rejected]) batch.pexpire(key, KEPT_MS);
    if (live.job.status === "processing") batch.set(keys.alive, "1", "PX", this.leaseMs);
    else batch.del(keys.alive);
    const results = await batch.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error("the import job's progress was not recorded");
    written.errors += errors.length;
    written.rejected += rejected.length;
    this.written.set(live, written);
  }

  async read(tenantId: string, jobId: string, withRejected = false): Promise<ImportJobRecord | undefined> {
    const keys = keysOf(tenantId, jobId);
    const batch = this.redis.multi().hgetall(keys.job).lrange(keys.errors, 0, -1).exists(keys.alive);
    if (withRejected) batch.lrange(keys.rejected, 0, -1);
    const results = await batch.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error("the import job could not be read");
    const [hash, errors, alive, rejected] = results.map(([, value]) => value) as [Record<string, string>, string[], number, string[] | undefined];
    if (!hash.job) return undefined;
    const job: ImportJob = { ...(JSON.parse(hash.job) as Omit<ImportJob, "errors">), errors: errors.map((error) => JSON.parse(error) as RowError) };
    if (job.status === "processing" && !alive) {
      job.status = "interrupted";
      job.finishedAt = hash.heardAt ?? null;
    }
    return {
      job,
      header: JSON.parse(hash.header ?? "[]") as string[],
      rejected: (rejected ?? []).map((row) => JSON.parse(row) as RejectedRow),
      rejectedLeftOut: Number(hash.rejectedLeftOut ?? 0),
    };
  }
}
