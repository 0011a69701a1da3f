import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { AppError } from "../errors.js";
import type { OperationResult } from "./operation-router.js";

interface Remembered {
  fingerprint: string;
  result: Promise<OperationResult>;
  /** Weight in the store: the result's JSON length once known. */
  bytes: number;
}

const PENDING_BYTES = 1024;

/** How long a key is remembered in memory (the resource itself also records it, for after a restart). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * `Idempotency-Key` on POSTs that create or send: the first request's result is kept and returned to every retry
 * with the same key (scoped per tenant, user and operation), so a retried client request never sends twice.
 * Concurrent retries wait for the first. The same key with a different body is a 409. After a restart the memory is
 * gone, so `recover` looks for the resource that recorded the key in its attributes.
 */
export class IdempotencyStore {
  private readonly entries: LRUCache<string, Remembered>;

  /**
   * `maxBytes` bounds what the remembered results weigh (their JSON); an evicted key is still found by `recover`.
   * A result not yet known counts as `PENDING_BYTES`.
   */
  constructor(options: { maxBytes?: number } = {}) {
    this.entries = new LRUCache<string, Remembered>({
      maxSize: options.maxBytes ?? 16 * 1024 * 1024,
      sizeCalculation: (entry) => entry.bytes,
      ttl: IDEMPOTENCY_TTL_MS,
    });
  }

  async run(
    scope: string,
    key: string | undefined,
    body: unknown,
    work: () => Promise<OperationResult>,
    recover: () => Promise<OperationResult | undefined>,
  ): Promise<OperationResult> {
    if (key === undefined) return work();
    const id = `${scope}|${key}`;
    const fingerprint = createHash("sha256").update(JSON.stringify(body ?? null)).digest("hex");
    const existing = this.entries.get(id);
    if (existing) {
      if (existing.fingerprint !== fingerprint)
        throw new AppError("conflict", "this Idempotency-Key was used with a different request", { field: "Idempotency-Key" });
      return replayed(await existing.result);
    }
    const result = (async () => {
      const recovered = await recover();
      return recovered ? replayed(recovered) : work();
    })();
    this.entries.set(id, { fingerprint, result, bytes: PENDING_BYTES });
    try {
      const settled = await result;
      // Weighed now that it is known (the key's 24 h run from the first request).
      if (this.entries.peek(id)?.result === result)
        this.entries.set(id, { fingerprint, result, bytes: weightOf(id, settled) }, { noUpdateTTL: true });
      return settled;
    } catch (error) {
      // A failed attempt sent nothing the client can rely on: the key may be used again.
      this.entries.delete(id);
      throw error;
    }
  }
}

const weightOf = (id: string, result: OperationResult): number => id.length + 64 + Buffer.byteLength(JSON.stringify(result.body ?? null));

const replayed = (result: OperationResult): OperationResult => ({
  ...result,
  headers: { ...result.headers, "Idempotent-Replayed": "true" },
});
