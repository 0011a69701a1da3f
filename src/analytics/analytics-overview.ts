import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { COUNTERS, type ConversationCounters } from "./message-counters.js";

const DAY_MS = 86_400_000;
const at = (counts: number[], counter: (typeof COUNTERS)[number]) => counts[COUNTERS.indexOf(counter)] ?? 0;

/**
 * GET /api/analytics/overview — summed from the counters each conversation keeps in its attributes (the
 * conversation index holds them: no message is read). `deliveryRate` is the share of messages sent in the period
 * that reached delivered (or read), in percent, one decimal; 0 when none was sent.
 */
export async function analyticsOverview(inbox: TenantInbox, days: number, nowMs = Date.now()) {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const dates = Array.from({ length: days }, (_, i) => new Date(Date.parse(today) - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
  const inPeriod = new Set(dates);
  const daily = new Map(dates.map((date) => [date, { sent: 0, received: 0 }]));
  const totals = { sent: 0, received: 0, delivered: 0, read: 0, failed: 0 };
  const lastDays = (n: number) => new Set(Array.from({ length: n }, (_, i) => new Date(Date.parse(today) - i * DAY_MS).toISOString().slice(0, 10)));
  const week = lastDays(7);
  const month = lastDays(30);
  let sentToday = 0;
  let sentThisWeek = 0;
  let sentThisMonth = 0;
  let totalConversations = 0;
  for (const entry of await inbox.directory.all()) {
    const counters = (entry.attributes.counters as ConversationCounters | undefined)?.days ?? {};
    let active = false;
    for (const [date, counts] of Object.entries(counters)) {
      // Today, this week and this month are the last 1, 7 and 30 days, whatever the period asked for.
      if (date === today) sentToday += at(counts, "sent");
      if (week.has(date)) sentThisWeek += at(counts, "sent");
      if (month.has(date)) sentThisMonth += at(counts, "sent");
      if (!inPeriod.has(date)) continue;
      active = true;
      for (const counter of COUNTERS) totals[counter] += at(counts, counter);
      daily.get(date)!.sent += at(counts, "sent");
      daily.get(date)!.received += at(counts, "received");
    }
    if (active) totalConversations++;
  }
  return {
    overview: {
      totalMessages: totals.sent + totals.received,
      totalConversations,
      deliveryRate: totals.sent === 0 ? 0 : Math.round((1000 * totals.delivered) / totals.sent) / 10,
      sentToday,
      sentThisWeek,
      sentThisMonth,
    },
    messagesByStatus: { sent: totals.sent, delivered: totals.delivered, read: totals.read, failed: totals.failed },
    dailyActivity: dates.map((date) => ({ date, ...daily.get(date)! })),
  };
}

/** The overview, kept per tenant and period while nothing of the tenant changed in the cache (every counter write changes it). */
export function cachedOverviews(): (inbox: TenantInbox, days: number) => Promise<Awaited<ReturnType<typeof analyticsOverview>>> {
  const kept = new Map<string, { version: number; day: string; value: Promise<Awaited<ReturnType<typeof analyticsOverview>>> }>();
  return (inbox, days) => {
    const key = `${inbox.tenant.id}|${days}`;
    const version = inbox.cache.tenantVersion(inbox.tenant.id);
    const day = new Date().toISOString().slice(0, 10);
    const hit = kept.get(key);
    if (hit && hit.version === version && hit.day === day) return hit.value;
    const value = analyticsOverview(inbox, days);
    value.catch(() => kept.delete(key));
    if (kept.size > 10_000) kept.clear();
    kept.set(key, { version, day, value });
    return value;
  };
}
