import type { ImportJob } from "./import-jobs.js";

/** A row refused by an import: the file's cells and why. */
export interface RejectedRow {
  row: number;
  cells: string[];
  message: string;
}

/** What the instance running an import holds of it, while it runs. */
export interface LiveImportJob {
  job: ImportJob;
  header: string[];
  /** Kept up to the byte bound (import-jobs.ts); past it only counted in `rejectedLeftOut`. */
  rejected: RejectedRow[];
  rejectedLeftOut: number;
}

/** An import job as any instance reads it. */
export interface ImportJobRecord {
  job: ImportJob;
  header: string[];
  rejected: RejectedRow[];
  rejectedLeftOut: number;
}

/**
 * Where import jobs are kept: this process's memory (one instance), or Redis (src/scale-out/redis-import-jobs.ts),
 * where every instance reads the job the running instance keeps up to date.
 */
export interface ImportJobStore {
  /** Records a job that just started (awaited before the answer, so every instance can read it at once). */
  start(tenantId: string, live: LiveImportJob): Promise<void>;
  /** Records the running job's progress since the last call (the job's `status` says whether it has finished). */
  progress(tenantId: string, live: LiveImportJob): Promise<void>;
  /** The job; its rejected rows only `withRejected` (they may weigh a megabyte). */
  read(tenantId: string, jobId: string, withRejected?: boolean): Promise<ImportJobRecord | undefined>;
}

/** How many jobs a tenant keeps (the oldest finished ones go first). */
export const JOBS_KEPT_PER_TENANT = 20;

/** Jobs in this process's memory: the running job itself is read, so `progress` has nothing to do. */
export class InMemoryImportJobStore implements ImportJobStore {
  private readonly byTenant = new Map<string, Map<string, LiveImportJob>>();

  async start(tenantId: string, live: LiveImportJob): Promise<void> {
    let jobs = this.byTenant.get(tenantId);
    if (!jobs) this.byTenant.set(tenantId, (jobs = new Map()));
    jobs.set(live.job.id, live);
    for (const [id, old] of jobs) {
      if (jobs.size <= JOBS_KEPT_PER_TENANT) break;
      if (old.job.status !== "processing") jobs.delete(id);
    }
  }

  async progress(): Promise<void> {}

  async read(tenantId: string, jobId: string): Promise<ImportJobRecord | undefined> {
    const live = this.byTenant.get(tenantId)?.get(jobId);
    if (!live) return undefined;
    return { job: { ...live.job, errors: [...live.job.errors] }, header: live.header, rejected: [...live.rejected], rejectedLeftOut: live.rejectedLeftOut };
  }
}
