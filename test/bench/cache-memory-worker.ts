import { InboxCache, tenantKey } from "../../src/cache/inbox-cache.js";
import { serializeAttributes, withLatestMessage, withParticipants } from "../../src/inbox/conversation-attributes.js";
import { toEntry } from "../../src/inbox/conversation-directory.js";
import type { ConversationRecord, MessageRecord, ParticipantRecord } from "../../src/inbox/inbox-types.js";
import { serveParent } from "./worker-process.js";

export interface CacheMemoryRequest {
  entries: number;
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
}

export interface CacheMemoryReply {
  inserted: number;
  retained: number;
  calculatedSize: number;
  maxBytes: number;
  rssBaselineBytes: number;
  rssAfterBytes: number;
  heapUsedDeltaBytes: number;
  /** Mean cost of one `set` (toEntry excluded), µs. */
  setMicros: number;
}

const hex = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(32, "0")}`;
const gc = () => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error("run with --expose-gc");
  collect();
  collect();
};

/** A conversation as the gateway stores it: attributes with the summary its own writes keep (one SMS participant). */
function conversationRecord(i: number): ConversationRecord {
  const sid = hex("CH", i);
  const date = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
  const phone = `+1555${String(i).padStart(7, "0")}`;
  const participant: ParticipantRecord = {
    sid: hex("MB", i),
    conversationSid: sid,
    identity: null,
    attributes: "{}",
    messagingBinding: { type: "sms", address: phone, proxyAddress: "+15005550001" },
    dateCreated: date,
    dateUpdated: date,
  };
  const message: MessageRecord = {
    sid: hex("IM", i),
    conversationSid: sid,
    index: 3,
    author: phone,
    body: `Hi, this is customer ${i}: where is my order #${10_000 + i}? It was due yesterday and I have not heard back yet.`,
    attributes: "{}",
    participantSid: participant.sid,
    delivery: null,
    dateCreated: date,
    dateUpdated: date,
  };
  const base = {
    channel: "SMS" as const,
    unreadCount: 1,
    isStarred: false,
    contactDetails: { phone, email: `customer${i}@example.com` },
  };
  const attributes = serializeAttributes(withLatestMessage(withParticipants(base, [participant]), message));
  return {
    sid,
    accountSid: hex("AC", 1),
    chatServiceSid: hex("IS", 1),
    friendlyName: `Customer ${i}`,
    uniqueName: null,
    attributes,
    state: "active",
    dateCreated: date,
    dateUpdated: date,
  };
}

// In its own process, so the RSS baseline is this cache's alone.
serveParent(async (request: CacheMemoryRequest): Promise<CacheMemoryReply> => {
  const cache = new InboxCache({ maxEntries: request.maxEntries, maxBytes: request.maxBytes, ttlMs: request.ttlMs });
  cache.set(tenantKey("warmup", "conv", "x"), toEntry(conversationRecord(0)));
  cache.clear();
  gc();
  const rssBaselineBytes = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let setNanos = 0n;
  for (let i = 0; i < request.entries; i++) {
    const entry = toEntry(conversationRecord(i));
    const started = process.hrtime.bigint();
    cache.set(tenantKey("alpha", "conv", entry.record.sid), entry);
    setNanos += process.hrtime.bigint() - started;
  }
  gc();
  const usage = process.memoryUsage();
  const stats = cache.stats();
  return {
    inserted: request.entries,
    retained: stats.entries,
    calculatedSize: stats.bytes,
    maxBytes: request.maxBytes,
    rssBaselineBytes,
    rssAfterBytes: usage.rss,
    heapUsedDeltaBytes: usage.heapUsed - heapBefore,
    setMicros: Number(setNanos / BigInt(request.entries)) / 1000,
  };
});
