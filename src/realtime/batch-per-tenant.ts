import type { DomainEventMap, DomainEvents } from "../inbox/domain-events.js";
import { windowPerKey } from "./window-per-key.js";

/**
 * One batch per tenant per `intervalMs` (see `windowPerKey`): the first update of a quiet tenant goes out at once (a
 * batch of one); the updates during the window that follows are held — the latest per conversation wins, in the
 * order of those latest updates, so applying a batch in order ends where applying every update would — and go out
 * together when it ends. `intervalMs` 0: every update is a batch of its own.
 */
export interface TenantBatcher<T> {
  push(tenantId: string, conversationSid: string, value: T): void;
  /** Forgets what is held for the conversation (it will not be delivered). */
  drop(tenantId: string, conversationSid: string): void;
  /** Delivers what is held, now, and stops the timers. */
  flush(): void;
}

export function batchPerTenant<T>(intervalMs: number, deliver: (tenantId: string, values: T[]) => void): TenantBatcher<T> {
  const windows = windowPerKey<{ conversationSid: string; value: T }, Map<string, T>>(
    intervalMs,
    (held = new Map(), { conversationSid, value }) => {
      held.delete(conversationSid); // re-inserted last: the batch is in the order of the latest updates
      return held.set(conversationSid, value);
    },
    (tenantId, held) => deliver(tenantId, [...held.values()]),
  );
  return {
    push: (tenantId, conversationSid, value) => windows.push(tenantId, { conversationSid, value }),
    drop: (tenantId, conversationSid) =>
      windows.drop(tenantId, (held) => {
        held.delete(conversationSid);
        return held.size > 0 ? held : undefined;
      }),
    flush: () => windows.flush(),
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
