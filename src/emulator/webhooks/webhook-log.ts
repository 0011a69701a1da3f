/** One attempt to deliver a post-event webhook. */
export interface WebhookDelivery {
  url: string;
  eventType: string;
  params: Record<string, string>;
  headers: Record<string, string>;
  /** HTTP status of the answer; null when the request failed or timed out. */
  status: number | null;
  /** 0 for the first attempt, then 1, 2… (the `RetryCount` sent). */
  attempt: number;
  idempotencyToken: string;
  error?: string;
}

/** Every webhook attempt the emulator made, in order. */
export class WebhookLog {
  readonly entries: WebhookDelivery[] = [];

  add(delivery: WebhookDelivery): void {
    this.entries.push(delivery);
  }

  /** Deliveries of one event type (all attempts), or all of them. */
  byEvent(eventType?: string): WebhookDelivery[] {
    return eventType ? this.entries.filter((d) => d.eventType === eventType) : [...this.entries];
  }

  count(filter?: (delivery: WebhookDelivery) => boolean): number {
    return filter ? this.entries.filter(filter).length : this.entries.length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
