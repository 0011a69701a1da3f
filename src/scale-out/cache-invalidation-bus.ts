import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CacheChange, InboxCache } from "../cache/inbox-cache.js";
import type { SharedFacts } from "../inbox/shared-facts.js";

const CHANNEL = "switchboard:cache-changes";

interface Envelope {
  from: string;
  changes: CacheChange[];
  /** Facts for other instances' in-memory state (message indexes, contact books), in the order they happened. */
  facts: Array<[topic: string, fact: unknown]>;
}

interface Topic {
  apply(fact: unknown): void;
  resync?(): void;
}

/**
 * Keeps every instance's cache honest (Redis pub/sub): this instance's cache writes are published, batched per
 * tick, and other instances drop those keys (or bump those generations) without publishing again. Named topics
 * carry facts for the other in-memory state that must stay current on every instance (the message indexes hear new
 * messages, receipts and removals; the contact books hear contact writes); sockets hear events through the
 * Socket.IO adapter, not from here. Pub/sub is not durable: after the subscriber reconnects, the whole local cache is
 * dropped and every topic resyncs (drops what it holds), since changes may have been missed.
 */
export class CacheInvalidationBus implements SharedFacts {
  readonly instanceId = randomUUID();
  private pending: Envelope | undefined;
  private readonly stops: Array<() => void> = [];
  private readonly topics = new Map<string, Topic>();

  private cache: InboxCache | undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly logger: Logger,
  ) {}

  /** Subscribes (the subscriber connection is the bus's own: a subscribed connection can do nothing else). */
  static async start(publisher: Redis, subscriber: Redis, logger: Logger): Promise<CacheInvalidationBus> {
    const bus = new CacheInvalidationBus(publisher, logger);
    let connectedBefore = false;
    const onReady = () => {
      if (connectedBefore) bus.resync();
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

  /** Relays this instance's cache writes and applies the others' (one cache per bus). */
  attach(cache: InboxCache): void {
    this.cache = cache;
    this.stops.push(cache.onChange((change) => this.queue().changes.push(change)));
  }

  topic<T>(name: string, apply: (fact: T) => void, resync?: () => void): (fact: T) => void {
    if (this.topics.has(name)) throw new Error(`the bus topic ${name} has a subscriber already`);
    this.topics.set(name, { apply: apply as (fact: unknown) => void, resync });
    return (fact) => this.queue().facts.push([name, fact]);
  }

  private receive(text: string): void {
    try {
      const envelope = JSON.parse(text) as Envelope;
      if (envelope.from === this.instanceId) return;
      if (this.cache) for (const change of envelope.changes) this.cache.applyRemoteChange(change);
      for (const [name, fact] of envelope.facts) this.topics.get(name)?.apply(fact);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "ignored a malformed cache change");
    }
  }

  private resync(): void {
    this.cache?.clear();
    for (const topic of this.topics.values()) topic.resync?.();
  }

  close(): void {
    this.stops.splice(0).forEach((stop) => stop());
    this.cache = undefined;
    this.topics.clear();
  }

  private queue(): Envelope {
    if (!this.pending) {
      this.pending = { from: this.instanceId, changes: [], facts: [] };
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
