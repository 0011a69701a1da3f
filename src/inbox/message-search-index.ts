import MiniSearch from "minisearch";
import type { MessageRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { readTenantMessages } from "./read-tenant-messages.js";
import { BuiltOnFirstUse, type IndexBuildStats } from "./built-on-first-use.js";

/** What the index holds per message (the body is indexed and stored, to show the hit). */
interface IndexedMessage {
  id: string;
  conversationSid: string;
  body: string;
  author: string;
  timeMs: number;
}

export interface SearchHit {
  messageSid: string;
  body: string;
  conversationSid: string;
  author: string;
  timeMs: number;
  score: number;
}

/**
 * Full-text search over one tenant's messages (Twilio has none): a MiniSearch index built from Twilio on first use
 * (every indexed conversation's messages, one call per 100, bounded concurrency) and kept current by the
 * message events of webhooks. After a restart it is empty until the next search builds it again.
 */
export class MessageSearchIndex {
  private index = MessageSearchIndex.create();
  /** The indexed messages' SIDs, oldest first: past `maxMessages`, the oldest leave the index. */
  private order = new Set<string>();
  private readonly lifecycle: BuiltOnFirstUse;

  constructor(
    private readonly inbox: TenantInbox,
    private readonly options: { maxMessages: number; concurrency: number; onBuilt?: () => void },
  ) {
    this.lifecycle = new BuiltOnFirstUse(() => this.build(), () => this.index.documentCount, options.onBuilt);
  }

  get stats(): IndexBuildStats {
    return this.lifecycle.stats;
  }

  private static create() {
    return new MiniSearch<IndexedMessage>({
      fields: ["body"],
      storeFields: ["conversationSid", "author", "timeMs", "body"],
      searchOptions: { prefix: true, fuzzy: 0.1, combineWith: "AND" },
    });
  }

  /** Adds or replaces a message (from webhooks); ignored until the index exists, except for the build's backlog. */
  upsert(message: MessageRecord): void {
    this.whenBuilt(() => this.add(message));
  }

  /** A message deleted in Twilio: no longer found (one deleted while the index is being built, once it is). */
  removeMessage(messageSid: string): void {
    this.whenBuilt(() => {
      if (!this.index.has(messageSid)) return;
      this.index.discard(messageSid);
      this.order.delete(messageSid);
    });
  }

  /** A conversation deleted in Twilio: none of its messages is found any more. */
  remove(conversationSid: string): void {
    this.whenBuilt(() => {
      for (const sid of [...this.order]) {
        if (this.index.getStoredFields(sid)?.conversationSid !== conversationSid) continue;
        this.index.discard(sid);
        this.order.delete(sid);
      }
    });
  }

  private whenBuilt(change: () => void) {
    this.lifecycle.whenBuilt(change);
  }

  async search(query: string, filter: (hit: SearchHit) => boolean): Promise<SearchHit[]> {
    await this.ensureBuilt();
    return this.index
      .search(query)
      .map((result) => ({
        messageSid: result.id as string,
        body: result.body as string,
        conversationSid: result.conversationSid as string,
        author: result.author as string,
        timeMs: result.timeMs as number,
        score: Math.round(result.score * 1000) / 1000,
      }))
      .filter(filter);
  }

  /** Approximate memory of the index: its serialised size. */
  sizeBytes(): number {
    return Buffer.byteLength(JSON.stringify(this.index));
  }

  ensureBuilt(): Promise<void> {
    return this.lifecycle.ensureBuilt();
  }

  /** Fills the index from Twilio; answers the calls it made. */
  private async build(): Promise<number> {
    const fetched = new Map<string, { document: IndexedMessage; index: number }>();
    const calls = await readTenantMessages(this.inbox, {
      concurrency: this.options.concurrency,
      enough: () => fetched.size >= this.options.maxMessages,
      onPage: (messages) => {
        for (const message of messages) {
          if (message.body && !fetched.has(message.sid)) fetched.set(message.sid, { document: toDocument(message), index: message.index });
        }
      },
    });
    // Oldest first (Twilio's dates are to the second: a conversation's index breaks ties), so that the bound later
    // evicts the oldest; at most maxMessages, the newest.
    const documents = [...fetched.values()]
      .sort((a, b) => a.document.timeMs - b.document.timeMs || a.index - b.index)
      .slice(-this.options.maxMessages)
      .map(({ document }) => document);
    const fresh = MessageSearchIndex.create();
    fresh.addAll(documents);
    this.index = fresh;
    this.order = new Set(documents.map((document) => document.id));
    return calls;
  }

  private add(message: MessageRecord) {
    if (!message.body) return;
    if (this.index.has(message.sid)) {
      this.index.discard(message.sid);
      this.order.delete(message.sid);
    }
    this.index.add(toDocument(message));
    this.order.add(message.sid);
    for (const oldest of this.order) {
      if (this.order.size <= this.options.maxMessages) break;
      this.order.delete(oldest);
      this.index.discard(oldest);
    }
  }
}

function toDocument(message: MessageRecord): IndexedMessage {
  return {
    id: message.sid,
    conversationSid: message.conversationSid,
    body: message.body ?? "",
    author: message.author ?? "",
    timeMs: Date.parse(message.dateCreated),
  };
}
