import { Redlock } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";
import { inMemoryKeyedLock, type KeyedLock } from "../inbox/keyed-lock.js";

/** Lock lifetime; redlock extends it while the work runs, so it only matters when an instance dies holding it. */
const LOCK_TTL_MS = 10_000;

/**
 * The keyed lock shared by every instance (Redlock on one Redis). Waiters in this process queue in memory first, so
 * only one of them at a time polls Redis; the Redis lock then serialises the instances. Retries with jitter for
 * up to about 30 s, then fails (a webhook answers 5xx and Twilio retries).
 */
export function createRedisLocks(redis: Redis): { forTenant(tenantId: string): KeyedLock } {
  const redlock = new Redlock([redis], { retryCount: 300, retryDelay: 50, retryJitter: 100, automaticExtensionThreshold: 2_000 });
  return {
    forTenant(tenantId) {
      const local = inMemoryKeyedLock();
      return {
        acquire: (key, fn) =>
          local.acquire(key, () => redlock.using([`switchboard:lock:${tenantId}:${key}`], LOCK_TTL_MS, () => fn())),
      };
    },
  };
}
