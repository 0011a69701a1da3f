import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CacheChange, InboxCache } from "../cache/inbox-cache.js";
import type { DomainEvents } from "../inbox/domain-events.js";
import type { MessageRecord } from "../inbox/inbox-types.js";

const CHANNEL = "switchboard:cache-changes";

interface Envelope {
  from: string;
  changes: CacheChange[];
  /** New messages, for the other instances' search indexes. */
  messages: Array<{ tenantId: string; message: MessageRecord }>;
}

/** What the bus keeps in step on this instance. */
export interface LocalState {
  cache: InboxCache;
  events: DomainEvents;
  /** Adds a message another instance learned of to this instance's search index. */
  indexMessage(tenantId: string, message: MessageRecord): void;
}

/**
 * Keeps every instance's cache honest (Redis pub/sub): this instance's cache writes are published, batched per
 * tick, and other instances drop those keys (or bump those generations) without publishing again. New messages
 * travel too, for the search indexes; sockets hear them through the Socket.IO adapter, not from here. Pub/sub is
 * not durable: after the subscriber reconnects, the whole local cache is dropped, since invalidations may have
 * been missed.
 */
export class CacheInvalidationBus {
  readonly instanceId = randomUUID();
  private pending: Envelope | undefined;
  private readonly stops: Array<() => void> = [];

  private local: LocalState | undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly logger: Logger,
  ) {}

  /** Subscribes (the subscriber connection is the bus's own: a subscribed connection can do nothing else). */
  static async start(publisher: Redis, subscriber: Redis, logger: Logger): Promise<CacheInvalidationBus> {
    const bus = new CacheInvalidationBus(publisher, logger);
    let connectedBefore = false;
    const onReady = () => {
      if (connectedBefore) bus.local?.cache.clear();
      connectedBefore = true;
    };
    const onMessage = (channel: string, text: string) => channel === CHANNEL && bus.receive(text);
    subscriber.on("message", onMessage);
    subscriber.on("ready", onReady);
    bus.stops.push(() => subscriber.off("message", onMessage), () => subscriber.off("ready", onReady));
    await subscriber.subscribe(CHANNEL);
    connectedBefore = true;
    return bus;
  }

  /** Relays for this instance's state (one per bus). */
  attach(local: LocalState): void {
    this.local = local;
    this.stops.push(
      local.cache.onChange((change) => this.queue().changes.push(change)),
      ...(["message.received", "message.sent"] as const).map((name) =>
        local.events.on(name, ({ tenantId, message }) => this.queue().messages.push({ tenantId, message })),
      ),
    );
  }

  private receive(text: string): void {
    try {
      const envelope = JSON.parse(text) as Envelope;
      if (envelope.from === this.instanceId || !this.local) return;
      for (const change of envelope.changes) this.local.cache.applyRemoteChange(change);
      for (const { tenantId, message } of envelope.messages) this.local.indexMessage(tenantId, message);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "ignored a malformed cache change");
    }
  }

  close(): void {
    this.stops.splice(0).forEach((stop) => stop());
    this.local = undefined;
  }

  private queue(): Envelope {
    if (!this.pending) {
      this.pending = { from: this.instanceId, changes: [], messages: [] };
      setImmediate(() => {
        const envelope = this.pending!;
        this.pending = undefined;
        this.publisher.publish(CHANNEL, JSON.stringify(envelope)).catch((error: Error) => {
          this.logger.warn({ err: error.message }, "could not publish cache changes");
        });
      });
    }
    return this.pending;
  }
}
