import type { DomainEventMap, DomainEvents } from "../inbox/domain-events.js";
import { windowPerKey } from "./window-per-key.js";

/**
 * At most one delivery per key per `intervalMs` (see `windowPerKey`), holding only the newest change: the last
 * delivered value is always the latest one. `intervalMs` 0 delivers every change.
 */
export interface PerKeyCoalescer<T> {
  push(key: string, value: T): void;
  /** Forgets what is held for `key` (it will not be delivered). */
  drop(key: string): void;
  /** Delivers what is held, now, and stops the timers. */
  flush(): void;
}

export function coalescePerKey<T>(intervalMs: number, deliver: (value: T) => void): PerKeyCoalescer<T> {
  const windows = windowPerKey<T, T>(intervalMs, (_held, value) => value, (_key, value) => deliver(value));
  return {
    push: (key, value) => windows.push(key, value),
    drop: (key) => windows.drop(key, () => undefined),
    flush: () => windows.flush(),
  };
}

/**
 * Subscribes `deliver` to the tenant-wide `conversation.updated` events, coalesced per conversation (see
 * `coalescePerKey`); a removed conversation gets no held update after its removal. Returns the unsubscriber, which
 * delivers what is still held.
 */
export function onCoalescedConversationUpdates(
  events: DomainEvents,
  intervalMs: number,
  deliver: (update: DomainEventMap["conversation.updated"]) => void,
): () => void {
  const updates = coalescePerKey(intervalMs, deliver);
  const keyOf = (event: { tenantId: string; conversationSid: string }) => `${event.tenantId}|${event.conversationSid}`;
  const unsubscribers = [
    events.on("conversation.updated", (update) => updates.push(keyOf(update), update)),
    events.on("conversation.removed", (removal) => updates.drop(keyOf(removal))),
  ];
  return () => {
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    updates.flush();
  };
}
