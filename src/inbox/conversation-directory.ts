import { LRUCache } from "lru-cache";
import pMap from "p-map";
import { tenantKey, type InboxCache } from "../cache/inbox-cache.js";
import { AppError, isAppError } from "../errors.js";
import type { ConversationsGateway } from "../twilio/conversations-gateway.js";
import { parseAttributes, type ConversationAttributes } from "./conversation-attributes.js";
import type { ConversationRecord, MessageRecord, ParticipantRecord } from "./inbox-types.js";
import type { ActivityMark, RecentActivity } from "./recent-activity.js";

/** A conversation as the directory holds it: the record, its parsed attributes and what sorting and search need. */
export interface ConversationEntry {
  record: ConversationRecord;
  attributes: ConversationAttributes;
  /** Time of the latest message, or of the last update when there is none. */
  lastActivityMs: number;
  /** Lower-cased text the `search` parameter matches against. */
  searchText: string;
  /** The attributes JSON clients see: without the gateway's `summary`, which they get as fields instead. */
  publicAttributes: string;
}

interface ConversationIndex {
  /** Newest first as learned: the recorded recent activity, then Twilio's pages (newest created first). */
  sids: string[];
  /** Time of latest activity from the record of recent activity, for SIDs whose entry may not be loaded. */
  activity: Record<string, number>;
  /** Every conversation of the tenant is in `sids` (Twilio listed fewer than the index limit). */
  complete: boolean;
  /** Twilio's further pages are still being read in the background. */
  filling: boolean;
  /** Which load this is: a fill stops once the index it extends was dropped or reloaded. */
  loadId: number;
}

/** A conversation ranked for the list: its entry when loaded, else the time the record of recent activity holds. */
export interface RankedConversation {
  sid: string;
  lastActivityMs: number;
  entry?: ConversationEntry;
}

/** How long a cold index load waits for the record of recent activity before going on without it. */
const RECENT_ACTIVITY_WAIT_MS = 1_000;

/** Conversations per Twilio page (its maximum): a 5,000 index is 50 calls, the first page of the list one. */
const TWILIO_PAGE_SIZE = 100;

/** Index fills reading Twilio at once in this process (one page in flight each), whatever the number of tenants. */
const FILL_CONCURRENCY = 4;
let fillsRunning = 0;
const fillQueue: Array<() => void> = [];

/**
 * Runs `work` once one of the process's fill slots is free. `onQueued` gets a function that moves this fill to the
 * front of the queue: a request that needs the whole index (a filter, a search) hurries its tenant's fill.
 */
async function fillSlot<T>(work: () => Promise<T>, onQueued: (hurry: () => void) => void): Promise<T> {
  if (fillsRunning >= FILL_CONCURRENCY) {
    await new Promise<void>((resolve) => {
      fillQueue.push(resolve);
      onQueued(() => {
        const at = fillQueue.indexOf(resolve);
        if (at > 0) fillQueue.unshift(...fillQueue.splice(at, 1));
      });
    });
  } else fillsRunning++;
  try {
    return await work();
  } finally {
    const next = fillQueue.shift();
    if (next) next();
    else fillsRunning--;
  }
}

let loadCounter = 0;

/** When more than this share of indexed conversations fell out of the cache, one full reload is cheaper. */
const RELOAD_INDEX_WHEN_MISSING_SHARE = 0.1;

/**
 * One tenant's conversations, read through the cache. Listing costs one upstream call per 100 conversations
 * when cold and none when warm; what the summary in the attributes lacks is fetched with bounded concurrency.
 * The gateway's own writes go through `remember`/`forget`, so reads after a write are fresh.
 */
export class ConversationDirectory {
  /**
   * Conversations deleted through this gateway or reported removed. Twilio never reuses a SID, so nothing learned
   * about one afterwards (a late webhook, a write that was in flight) brings it back into the cache.
   */
  private readonly removed = new LRUCache<string, true>({ max: 10_000 });
  /** SIDs Twilio recently answered 404 for (`lookup`): a client repeating one costs no further upstream call. */
  private readonly absent = new LRUCache<string, true>({ max: 1_000, ttl: 60_000 });

  constructor(
    private readonly cache: InboxCache,
    private readonly gateway: ConversationsGateway,
    private readonly tenantId: string,
    private readonly options: { indexLimit: number; concurrency: number; recentActivity?: RecentActivity },
  ) {
    // Scaled out: another instance's news of a conversation joining or leaving the index (see `remember`, `forget`).
    const joined = this.key("index-add", "");
    const left = this.key("index-remove", "");
    cache.onRemoteChange(({ key }) => {
      if (key.startsWith(joined)) {
        const [sid, ms] = key.slice(joined.length).split("|");
        if (sid) this.addToIndex(sid, Number(ms) || 0);
      }
      else if (key.startsWith(left)) this.removeFromIndex(key.slice(left.length), true);
    });
  }

  /** The background fill of the index, while one runs (tests and the benchmark wait on it). */
  private filling: Promise<void> | undefined;
  /** Moves this tenant's fill to the front of the process's queue, while it waits there. */
  private hurry: (() => void) | undefined;
  /** The fill the latest index load calls for, until `index` starts it. */
  private pendingFill: { pages: AsyncGenerator<ConversationRecord[]>; pageSize: number; loadId: number; loaded: number } | undefined;

  private key(...parts: string[]) {
    return tenantKey(this.tenantId, ...parts);
  }

  /**
   * Every indexed conversation of the tenant (unsorted). While the index still fills in the background, this waits
   * for it (filters and search need all of it); `ranked` does not.
   */
  async all(): Promise<ConversationEntry[]> {
    await this.index();
    await this.settled();
    const { entries, missing } = this.collect(await this.index());
    if (missing.length === 0) return entries;
    if (missing.length > 5 && missing.length > entries.length * RELOAD_INDEX_WHEN_MISSING_SHARE) {
      this.cache.delete(this.key("index"));
      const reloaded = this.collect(await this.index());
      if (reloaded.missing.length === 0) return reloaded.entries;
      return [...reloaded.entries, ...(await this.fetchMissing(reloaded.missing))];
    }
    return [...entries, ...(await this.fetchMissing(missing))];
  }

  /** Resolves once the index's background fill (if one runs) is done. */
  async settled(): Promise<void> {
    while (this.filling) {
      this.hurry?.();
      await this.filling;
    }
  }

  /**
   * Every conversation known so far, most recently active first (ties by SID): what the first pages of the list
   * need, served as soon as Twilio's newest page and the record of recent activity are read, without waiting for
   * the rest of the index. `complete` is false while the index still fills.
   */
  async ranked(): Promise<{ conversations: RankedConversation[]; complete: boolean }> {
    let index = await this.index();
    // Entries that fell out of the cache and that the record does not rank either are read again (as `all` does).
    const unranked = (at: ConversationIndex) => this.collect(at).missing.filter((sid) => at.activity[sid] === undefined);
    let missing = unranked(index);
    if (missing.length > 5 && missing.length > index.sids.length * RELOAD_INDEX_WHEN_MISSING_SHARE && !index.filling) {
      this.cache.delete(this.key("index"));
      index = await this.index();
      missing = unranked(index);
    }
    if (missing.length > 0) await this.fetchMissing(missing);
    index = this.cache.get<ConversationIndex>(this.key("index")) ?? index;
    const conversations = index.sids.map((sid): RankedConversation => {
      const entry = this.cache.get<ConversationEntry>(this.key("conv", sid));
      return { sid, entry, lastActivityMs: Math.max(entry?.lastActivityMs ?? -Infinity, index.activity[sid] ?? -Infinity) };
    });
    conversations.sort((a, b) => b.lastActivityMs - a.lastActivityMs || (a.sid < b.sid ? -1 : 1));
    return { conversations, complete: !index.filling };
  }

  /** The entries of these ranked conversations (loaded where needed), without those Twilio no longer has. */
  async entriesOf(ranked: RankedConversation[]): Promise<ConversationEntry[]> {
    const missing = ranked.filter((r) => !r.entry).map((r) => r.sid);
    const fetched = new Map((await this.fetchMissing(missing)).map((entry) => [entry.record.sid, entry]));
    return ranked.map((r) => r.entry ?? fetched.get(r.sid)).filter((entry): entry is ConversationEntry => entry !== undefined);
  }

  /** One conversation of this tenant; AppError not_found when the service has no such conversation. */
  get(sid: string): Promise<ConversationEntry> {
    return this.cache.getOrLoad(this.key("conv", sid), async () => toEntry(await this.gateway.fetchConversation(sid)));
  }

  /**
   * As `get`, for a SID a client names (a socket subscribing): not_found without reading Twilio when the directory
   * already knows the SID is not the tenant's — deleted, recently answered 404, or absent from a complete index.
   * The index is kept current by the gateway's writes and Twilio's onConversationAdded webhooks; a conversation made
   * elsewhere is missing from it until that webhook arrives, as it is from the list.
   */
  async lookup(sid: string): Promise<ConversationEntry> {
    const cached = this.peek(sid);
    if (cached) return cached;
    const index = this.cache.get<ConversationIndex>(this.key("index"));
    if (this.removed.has(sid) || this.absent.has(sid) || (index?.complete && !index.filling && !index.sids.includes(sid)))
      throw new AppError("not_found", "Not found");
    try {
      return await this.get(sid);
    } catch (error) {
      if (isAppError(error) && error.code === "not_found") this.absent.set(sid, true);
      throw error;
    }
  }

  /** The cached entry, if any, without loading it. */
  peek(sid: string): ConversationEntry | undefined {
    return this.cache.get<ConversationEntry>(this.key("conv", sid));
  }

  /** Write-through after a write the gateway made (or learned of): the entry and the index are updated. */
  remember(record: ConversationRecord): ConversationEntry {
    const entry = toEntry(record);
    if (this.removed.has(record.sid)) return entry;
    this.absent.delete(record.sid);
    this.cache.set(this.key("conv", record.sid), entry, entryBytes(entry));
    this.options.recentActivity?.touch(this.tenantId, { sid: record.sid, ms: entry.lastActivityMs });
    // The index changes here only; other instances hear the news and add the SID to theirs, instead of dropping their
    // index and reading Twilio's pages again.
    if (this.addToIndex(record.sid, entry.lastActivityMs)) this.cache.announce(this.key("index-add", record.sid, String(entry.lastActivityMs)));
    return entry;
  }

  /** Caches a conversation read from Twilio's pages (a fill: not a change other instances need to hear of). */
  private fillEntry(record: ConversationRecord): void {
    const entry = toEntry(record);
    this.cache.fill(this.key("conv", record.sid), entry, entryBytes(entry));
  }

  /** Adds a SID to the cached index, if there is one and it lacks it; true unless it was there already. */
  private addToIndex(sid: string, lastActivityMs: number): boolean {
    if (this.removed.has(sid)) return false;
    const index = this.cache.get<ConversationIndex>(this.key("index"));
    if (index?.sids.includes(sid)) return false;
    if (index) this.cache.fill(this.key("index"), { ...index, sids: [sid, ...index.sids], activity: { ...index.activity, [sid]: lastActivityMs } });
    return true;
  }

  private removeFromIndex(sid: string, remote: boolean): void {
    if (remote) this.removed.set(sid, true);
    const index = this.cache.get<ConversationIndex>(this.key("index"));
    if (index?.sids.includes(sid)) this.cache.fill(this.key("index"), { ...index, sids: index.sids.filter((s) => s !== sid) });
  }

  forget(sid: string): void {
    this.removed.set(sid, true);
    this.options.recentActivity?.remove(this.tenantId, sid);
    this.cache.delete(this.key("conv", sid));
    this.invalidateDetails(sid);
    this.removeFromIndex(sid, false);
    this.cache.announce(this.key("index-remove", sid));
  }

  /** Drops the cached entry (it is re-read on next use) but keeps it listed in the index. */
  evict(sid: string): void {
    this.cache.delete(this.key("conv", sid));
    this.invalidateDetails(sid);
  }

  /** Drops what was fetched beside the summary (participants, latest message) after they changed. */
  invalidateDetails(sid: string): void {
    this.cache.delete(this.key("participants", sid));
    this.cache.delete(this.key("latest", sid));
  }

  /** Participants from the summary, else from the cache, else from Twilio. */
  participants(entry: ConversationEntry): Promise<ParticipantRecord[]> {
    const fromSummary = entry.attributes.summary?.participants;
    if (fromSummary) return Promise.resolve(fromSummary);
    const sid = entry.record.sid;
    return this.cache
      .getOrLoad(this.key("participants", sid), async () => ({ items: await this.gateway.listParticipants(sid) }))
      .then((cached) => cached.items);
  }

  /** The latest message from the summary, else from the cache, else from Twilio (one message, newest first). */
  latestMessage(entry: ConversationEntry): Promise<MessageRecord | null> {
    const fromSummary = entry.attributes.summary?.latestMessage;
    if (fromSummary !== undefined) return Promise.resolve(fromSummary);
    const sid = entry.record.sid;
    return this.cache
      .getOrLoad(this.key("latest", sid), async () => {
        const page = await this.gateway.listMessages(sid, { order: "desc", limit: 1 });
        return { message: page.items[0] ?? null };
      })
      .then((cached) => cached.message);
  }

  /**
   * A message was added: it is the latest one cached beside the entry (what `latestMessage` answers when the summary
   * does not hold one, e.g. when the attributes leave it no room), unless a later one is already there.
   */
  rememberLatestMessage(message: MessageRecord): void {
    const cached = this.cachedLatestMessage(message.conversationSid);
    if (cached && cached.index >= message.index) return;
    this.cache.set(this.key("latest", message.conversationSid), { message });
  }

  cachedParticipants(sid: string): ParticipantRecord[] | undefined {
    return this.cache.get<{ items: ParticipantRecord[] }>(this.key("participants", sid))?.items;
  }

  cachedLatestMessage(sid: string): MessageRecord | null | undefined {
    return this.cache.get<{ message: MessageRecord | null }>(this.key("latest", sid))?.message;
  }

  /** Runs `work` over entries with the directory's bounded upstream concurrency. */
  mapBounded<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
    return pMap(items, work, { concurrency: this.options.concurrency });
  }

  /**
   * Like `mapBounded`, with `undefined` in place of a conversation Twilio no longer has (deleted by another app, or
   * before its removal webhook arrived): it is forgotten, and a list answers with the others instead of failing.
   */
  mapPresent<R>(entries: ConversationEntry[], work: (entry: ConversationEntry) => Promise<R>): Promise<Array<R | undefined>> {
    return this.mapBounded(entries, async (entry) => {
      try {
        return await work(entry);
      } catch (error) {
        if (!isAppError(error) || error.code !== "not_found") throw error;
        this.forget(entry.record.sid);
        return undefined;
      }
    });
  }

  /**
   * The index, loaded newest first: the record of recent activity (conversations active lately, however old) and
   * Twilio's first page of the newest created conversations, read together — two round trips at most before a list
   * can answer. Twilio's further pages, up to the index limit, are read in the background (`fill`).
   */
  private async index(): Promise<ConversationIndex> {
    const index = await this.loadIndex();
    // The fill starts once the index it extends is in the cache (never from inside the load, which may be aborted).
    const pending = this.pendingFill;
    if (pending && pending.loadId === index.loadId) {
      this.pendingFill = undefined;
      this.startFill(pending.pages, pending.pageSize, pending.loadId, pending.loaded);
    }
    return index;
  }

  private loadIndex(): Promise<ConversationIndex> {
    return this.cache.getOrLoad(this.key("index"), async () => {
      const loadId = ++loadCounter;
      const pageSize = Math.min(TWILIO_PAGE_SIZE, this.options.indexLimit);
      const pages = this.gateway.conversationPagesNewestFirst(pageSize);
      const [first, recent] = await Promise.all([pages.next(), this.recentActivity()]);
      const records = first.done ? [] : first.value;
      for (const record of records) this.fillEntry(record);
      const activity: Record<string, number> = {};
      for (const mark of recent) activity[mark.sid] = mark.ms;
      const sids = [...new Set([...recent.map((mark) => mark.sid), ...records.map((record) => record.sid)])].filter((sid) => !this.removed.has(sid));
      const more = records.length === pageSize && records.length < this.options.indexLimit;
      const index: ConversationIndex = { sids, activity, complete: records.length < pageSize, filling: more, loadId };
      void this.pendingFill?.pages.return(undefined); // a load aborted by a write: its pages are not read on
      this.pendingFill = more ? { pages, pageSize, loadId, loaded: records.length } : undefined;
      if (!more) void pages.return(undefined);
      return index;
    });
  }

  /**
   * The record's most recently active conversations. It is an aid, not a store: if it fails or is slow (Redis away,
   * its commands queued until it is back), the index is Twilio's newest conversations alone.
   */
  private async recentActivity(): Promise<ActivityMark[]> {
    const record = this.options.recentActivity;
    if (!record) return [];
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<ActivityMark[]>((resolve) => (timer = setTimeout(() => resolve([]), RECENT_ACTIVITY_WAIT_MS)));
    try {
      return await Promise.race([record.recent(this.tenantId, this.options.indexLimit).catch(() => []), giveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads Twilio's further pages one at a time (one call in flight per tenant, `FILL_CONCURRENCY` in the process)
   * and adds them to the index, until the index limit or Twilio's last page. Stops when the index it extends was
   * dropped or reloaded meanwhile; a failure leaves the index as far as it got, marked complete-as-can-be (the next
   * reload, after the cache's TTL, tries again).
   */
  private startFill(pages: AsyncGenerator<ConversationRecord[]>, pageSize: number, loadId: number, loaded: number): void {
    const fill = fillSlot(async () => {
      this.hurry = undefined;
      let count = loaded;
      let exhausted = false;
      try {
        while (count < this.options.indexLimit) {
          const next = await pages.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          const records = next.value.slice(0, this.options.indexLimit - count);
          count += records.length;
          const current = this.cache.get<ConversationIndex>(this.key("index"));
          if (current?.loadId !== loadId) return;
          for (const record of records) if (!this.removed.has(record.sid)) this.fillEntry(record);
          const known = new Set(current.sids);
          const added = records.map((record) => record.sid).filter((sid) => !known.has(sid) && !this.removed.has(sid));
          this.cache.fill(this.key("index"), { ...current, sids: [...current.sids, ...added] });
          if (next.value.length < pageSize) {
            exhausted = true;
            break;
          }
        }
      } catch {
        // Twilio failed mid-way: keep what was read.
      } finally {
        void pages.return(undefined);
        const current = this.cache.get<ConversationIndex>(this.key("index"));
        if (current?.loadId === loadId) this.cache.fill(this.key("index"), { ...current, filling: false, complete: exhausted && count < this.options.indexLimit });
      }
    }, (hurry) => (this.hurry = hurry));
    const done = fill.finally(() => {
      if (this.filling === done) this.filling = undefined;
    });
    this.filling = done;
  }

  private collect(index: ConversationIndex) {
    const entries: ConversationEntry[] = [];
    const missing: string[] = [];
    for (const sid of index.sids) {
      const entry = this.cache.get<ConversationEntry>(this.key("conv", sid));
      if (entry) entries.push(entry);
      else missing.push(sid);
    }
    return { entries, missing };
  }

  private async fetchMissing(sids: string[]): Promise<ConversationEntry[]> {
    const fetched = await this.mapBounded(sids, async (sid) => {
      try {
        return await this.get(sid);
      } catch (error) {
        if (isAppError(error) && error.code === "not_found") {
          this.forget(sid);
          return undefined;
        }
        throw error;
      }
    });
    return fetched.filter((entry): entry is ConversationEntry => entry !== undefined);
  }
}

/**
 * An entry's size as the cache counts sizes (its JSON), from the lengths of its strings: the attributes twice (as
 * text in the record, parsed beside it), the public attributes and search text, and the record's other fields.
 * Within a few percent of the JSON's length, without building it.
 */
const entryBytes = (entry: ConversationEntry) => 2 * entry.record.attributes.length + entry.publicAttributes.length + entry.searchText.length + 400;

export function toEntry(record: ConversationRecord): ConversationEntry {
  const attributes = parseAttributes(record.attributes);
  const latest = attributes.summary?.latestMessage;
  const lastActivityMs = Date.parse(latest?.dateCreated ?? record.dateUpdated) || 0;
  const details = attributes.contactDetails;
  const addresses = (attributes.summary?.participants ?? []).map((p) => p.messagingBinding?.address ?? p.identity ?? "");
  const searchText = [record.friendlyName, record.uniqueName, details?.email, details?.phone, latest?.body, ...addresses]
    .filter((part): part is string => typeof part === "string" && part.length > 0)
    .join("\n")
    .toLowerCase();
  const { summary, ...visible } = attributes;
  const publicAttributes = summary === undefined ? record.attributes : JSON.stringify(visible);
  return { record, attributes, lastActivityMs, searchText, publicAttributes };
}
