import type { DomainEventMap, DomainEvents } from "../inbox/domain-events.js";

/**
 * At most one delivery per key per `intervalMs`: the first change of a quiet key goes out at once; changes during
 * the interval that follows are held and only the newest goes out when it ends. Nothing is lost but intermediate
 * states, so the last delivered value is always the latest one. `intervalMs` 0 delivers every change.
 */
export interface PerKeyCoalescer<T> {
  push(key: string, value: T): void;
  /** Forgets what is held for `key` (it will not be delivered). */
  drop(key: string): void;
  /** Delivers what is held, now, and stops the timers. */
  flush(): void;
}

export function coalescePerKey<T>(intervalMs: number, deliver: (value: T) => void): PerKeyCoalescer<T> {
  const windows = new Map<string, { held?: T; timer: NodeJS.Timeout }>();
  const open = (key: string) => {
    const timer = setTimeout(() => {
      const window = windows.get(key);
      windows.delete(key);
      if (window?.held !== undefined) {
        deliver(window.held);
        open(key); // the held value just went out: the key is not quiet yet
      }
    }, intervalMs);
    timer.unref();
    windows.set(key, { timer });
  };
  return {
    push(key, value) {
      if (intervalMs <= 0) return deliver(value);
      const window = windows.get(key);
      if (window) window.held = value;
      else {
        deliver(value);
        open(key);
      }
    },
    drop(key) {
      const window = windows.get(key);
      if (window) window.held = undefined;
    },
    flush() {
      for (const [key, window] of windows) {
        clearTimeout(window.timer);
        windows.delete(key);
        if (window.held !== undefined) deliver(window.held);
      }
    },
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
