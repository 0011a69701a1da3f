import { parseAttributes } from "../inbox/conversation-attributes.js";
import type { MessageAttributes } from "../inbox/message-attributes.js";
import { advancesStatus } from "../inbox/delivery-status.js";
import type { DeliveryStatus } from "../inbox/domain-events.js";
import type { MessageRecord } from "../inbox/inbox-types.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { readTenantMessages } from "../inbox/read-tenant-messages.js";
import { BuiltOnFirstUse, type IndexBuildStats } from "../inbox/built-on-first-use.js";
import { businessStatus, toBusinessMessage, type BusinessMessage, type BusinessDirection, type BusinessStatus } from "./business-message.js";

export interface MessageFilter {
  conversationId?: string;
  direction?: BusinessDirection;
  status?: BusinessStatus;
}

/**
 * One tenant's messages across its conversations, newest first (Twilio lists messages per conversation only):
 * built from Twilio on first use (every indexed conversation, newest pages first, one call per 100 messages,
 * bounded concurrency, at most `maxMessages`), then kept current by the message and delivery events the webhooks
 * publish. Past `maxMessages` the oldest leave it. After a restart it is empty until the next read builds it.
 */
export class BusinessMessageIndex {
  private readonly messages = new Map<string, BusinessMessage & { timeMs: number; index: number }>();
  /** The inbox's own delivery status (finer than the API's four states), so receipts only move it forward. */
  private readonly delivery = new Map<string, string>();
  private sorted: Array<BusinessMessage & { timeMs: number; index: number }> | undefined;
  private readonly lifecycle: BuiltOnFirstUse;

  constructor(
    private readonly inbox: TenantInbox,
    private readonly options: { maxMessages: number; concurrency: number; onBuilt?: () => void },
  ) {
    this.lifecycle = new BuiltOnFirstUse(() => this.build(), () => this.messages.size, options.onBuilt);
  }

  get stats(): IndexBuildStats {
    return this.lifecycle.stats;
  }

  /** A message added (webhook or the gateway's own send). Before the index exists it waits for the build. */
  upsert(message: MessageRecord): void {
    this.whenBuilt(() => this.add(message));
  }

  /** A delivery receipt: moves the message's status forward, never back. */
  receipt(messageSid: string, status: DeliveryStatus | "opened" | "clicked"): void {
    this.whenBuilt(() => {
      const held = this.messages.get(messageSid);
      if (!held || status === "opened" || status === "clicked") return;
      if (!advancesStatus(this.delivery.get(messageSid), status)) return;
      this.delivery.set(messageSid, status);
      held.status = businessStatus(status, held.direction);
    });
  }

  remove(conversationSid: string): void {
    this.whenBuilt(() => {
      for (const [sid, message] of this.messages) if (message.conversationId === conversationSid) this.messages.delete(sid);
      this.sorted = undefined;
    });
  }

  removeMessage(messageSid: string): void {
    this.whenBuilt(() => {
      if (!this.messages.delete(messageSid)) return;
      this.delivery.delete(messageSid);
      this.sorted = undefined;
    });
  }

  /** One page of the matching messages (newest first) and how many match in all. */
  async list(filter: MessageFilter, page: number, limit: number): Promise<{ messages: BusinessMessage[]; total: number }> {
    await this.ensureBuilt();
    this.sorted ??= [...this.messages.values()].sort((a, b) => b.timeMs - a.timeMs || b.index - a.index);
    const matches =
      filter.conversationId || filter.direction || filter.status
        ? this.sorted.filter(
            (m) =>
              (!filter.conversationId || m.conversationId === filter.conversationId) &&
              (!filter.direction || m.direction === filter.direction) &&
              (!filter.status || m.status === filter.status),
          )
        : this.sorted;
    return { messages: matches.slice((page - 1) * limit, page * limit).map(publicView), total: matches.length };
  }

  ensureBuilt(): Promise<void> {
    return this.lifecycle.ensureBuilt();
  }

  private whenBuilt(change: () => void) {
    this.lifecycle.whenBuilt(change);
  }

  /** Fills the index from Twilio; answers the calls it made. */
  private async build(): Promise<number> {
    const fetched: MessageRecord[] = [];
    const calls = await readTenantMessages(this.inbox, {
      concurrency: this.options.concurrency,
      enough: () => fetched.length >= this.options.maxMessages,
      onPage: (messages) => fetched.push(...messages),
    });
    fetched.sort((a, b) => Date.parse(a.dateCreated) - Date.parse(b.dateCreated) || a.index - b.index);
    for (const message of fetched.slice(-this.options.maxMessages)) this.add(message);
    return calls;
  }

  private add(message: MessageRecord) {
    const held = this.messages.get(message.sid);
    const view = toBusinessMessage(message, this.inbox.tenant, this.inbox.directory.peek(message.conversationSid));
    const status = parseAttributes<MessageAttributes>(message.attributes).status;
    // A receipt may have overtaken the message's own event: the later state wins.
    if (held && !advancesStatus(this.delivery.get(message.sid), (status ?? "queued") as DeliveryStatus)) view.status = held.status;
    else if (status) this.delivery.set(message.sid, status);
    this.messages.delete(message.sid);
    this.messages.set(message.sid, { ...view, timeMs: Date.parse(message.dateCreated) || Date.now(), index: message.index });
    for (const oldest of this.messages.keys()) {
      if (this.messages.size <= this.options.maxMessages) break;
      this.messages.delete(oldest);
      this.delivery.delete(oldest);
    }
    this.sorted = undefined;
  }
}

function publicView(held: BusinessMessage & { timeMs?: number; index?: number }): BusinessMessage {
  const { timeMs: _t, index: _i, ...message } = held;
  return { ...message, content: { ...message.content } };
}
