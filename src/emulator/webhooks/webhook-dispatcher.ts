import { randomUUID } from "node:crypto";
import type { Store } from "../model/store.js";
import type { WebhookEvent } from "./webhook-event.js";
import type { WebhookLog } from "./webhook-log.js";
import { postSignedForm } from "./post-signed-form.js";

export interface DispatcherOptions {
  retries: number;
  timeoutMs: number;
}

/**
 * Delivers post-event webhooks to the service's PostWebhookUrl when its Filters list the event:
 * form-encoded, signed, retried with the same idempotency token and RetryCount incremented.
 */
export class WebhookDispatcher {
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly log: WebhookLog,
    readonly options: DispatcherOptions,
  ) {}

  /** Queues events; delivery starts once `after` settles (e.g. when the REST response is sent). */
  enqueue(events: WebhookEvent[], after: Promise<unknown> = Promise.resolve()): void {
    for (const event of events) {
      const target = this.targetFor(event);
      if (!target) continue;
      this.pending += 1;
      after
        .catch(() => undefined)
        .then(() => this.deliver(event, target))
        .finally(() => this.settle());
    }
  }

  /** Resolves when no delivery is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private targetFor(event: WebhookEvent): { url: string; authToken: string } | undefined {
    const service = this.store.services.get(event.serviceSid);
    const account = this.store.accounts.get(event.accountSid);
    const url = service?.webhooks.postWebhookUrl;
    if (!service || !account || !url) return undefined;
    if (!service.webhooks.filters.includes(event.eventType)) return undefined;
    return { url, authToken: account.authToken };
  }

  private async deliver(event: WebhookEvent, target: { url: string; authToken: string }) {
    const idempotencyToken = randomUUID();
    for (let attempt = 0; attempt <= this.options.retries; attempt += 1) {
      const params = { ...event.params, RetryCount: String(attempt) };
      const { headers, status, error } = await postSignedForm({ ...target, timeoutMs: this.options.timeoutMs }, params, idempotencyToken);
      const entry = { url: target.url, eventType: event.eventType, params, headers, status };
      this.log.add({ ...entry, attempt, idempotencyToken, ...(error ? { error } : {}) });
      if (status !== null && status >= 200 && status < 300) return;
    }
  }
}
