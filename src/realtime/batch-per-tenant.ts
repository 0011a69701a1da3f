import type { DomainEventMap, DomainEvents } from "../inbox/domain-events.js";

/**
 * One batch per tenant per `intervalMs`: the first update of a quiet tenant goes out at once (a batch of one); the
 * updates during the window that follows are held — the latest per conversation wins, in the order of those latest
 * updates, so applying a batch in order ends where applying every update would — and go out together when it ends
 * (then another window opens; a window with nothing held lets the tenant go quiet). `intervalMs` 0: every update
 * is a batch of its own.
 */
export interface TenantBatcher<T> {
  push(tenantId: string, conversationSid: string, value: T): void;
  /** Forgets what is held for the conversation (it will not be delivered). */
  drop(tenantId: string, conversationSid: string): void;
  /** Delivers what is held, now, and stops the timers. */
  flush(): void;
}

export function batchPerTenant<T>(intervalMs: number, deliver: (tenantId: string, values: T[]) => void): TenantBatcher<T> {
  const windows = new Map<string, { held: Map<string, T>; timer: NodeJS.Timeout }>();
  const open = (tenantId: string) => {
    const timer = setTimeout(() => {
      const window = windows.get(tenantId);
      windows.delete(tenantId);
      if (window && window.held.size > 0) {
        open(tenantId); // before delivering: what the delivery's listeners publish lands in the next window
        deliver(tenantId, [...window.held.values()]);
      }
    }, intervalMs);
    timer.unref();
    windows.set(tenantId, { held: new Map(), timer });
  };
  return {
    push(tenantId, conversationSid, value) {
      const window = intervalMs > 0 ? windows.get(tenantId) : undefined;
      if (window) {
        window.held.delete(conversationSid); // re-inserted last: the batch is in the order of the latest updates
        window.held.set(conversationSid, value);
        return;
      }
      if (intervalMs > 0) open(tenantId);
      deliver(tenantId, [value]);
    },
    drop(tenantId, conversationSid) {
      windows.get(tenantId)?.held.delete(conversationSid);
    },
    flush() {
      for (const [tenantId, window] of windows) {
        clearTimeout(window.timer);
        windows.delete(tenantId);
        if (window.held.size > 0) deliver(tenantId, [...window.held.values()]);
      }
    },
  };
}

/**
 * Subscribes `deliver` to the tenant-wide `conversation.updated` events, batched per tenant (see `batchPerTenant`);
 * a removed conversation is taken out of the held batch. Each instance batches the updates of the webhooks it
 * handles. Returns the unsubscriber, which delivers what is still held.
 */
export function onBatchedConversationUpdates(
  events: DomainEvents,
  intervalMs: number,
  deliver: (tenantId: string, updates: Array<DomainEventMap["conversation.updated"]>) => void,
): () => void {
  const batches = batchPerTenant(intervalMs, deliver);
  const unsubscribers = [
    events.on("conversation.updated", (update) => batches.push(update.tenantId, update.conversationSid, update)),
    events.on("conversation.removed", ({ tenantId, conversationSid }) => batches.drop(tenantId, conversationSid)),
  ];
  return () => {
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    batches.flush();
  };
}
