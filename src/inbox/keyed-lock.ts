import AsyncLock from "async-lock";

/**
 * Runs work for one key at a time: `TenantInbox.conversationLock`. In memory (one process) by default; across
 * instances through Redis when scaled out (src/scale-out/redis-keyed-lock.ts).
 */
export interface KeyedLock {
  acquire<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** The single-process lock: async-lock, queueing at most `maxPending` waiters per key. */
export function inMemoryKeyedLock(maxPending = 10_000): KeyedLock {
  const lock = new AsyncLock({ maxPending });
  return { acquire: (key, fn) => lock.acquire(key, fn) };
}
