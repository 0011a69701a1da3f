import type { Channel } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface InboxStats {
  total: number;
  unread: number;
  active: number;
  today: number;
  byChannel: Record<Channel, number>;
  /** Mean minutes from a customer's message to the first agent reply after it; null before any reply. */
  avgResponseMinutes: number | null;
  responseSamples: number;
}

/** Start of the current UTC day: what "today" means for the inbox. */
export const startOfUtcDay = (now = Date.now()) => {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
};

/** Aggregates over the tenant's conversation index: no upstream call when warm. */
export async function inboxStats(inbox: TenantInbox): Promise<InboxStats> {
  const entries = await inbox.directory.all();
  const today = startOfUtcDay();
  const byChannel: Record<Channel, number> = { SMS: 0, WhatsApp: 0, Email: 0 };
  let totalMs = 0;
  let samples = 0;
  const stats = { total: entries.length, unread: 0, active: 0, today: 0 };
  for (const { attributes, lastActivityMs } of entries) {
    if ((attributes.unreadCount ?? 0) > 0) stats.unread++;
    if ((attributes.status ?? "active") === "active") stats.active++;
    if (lastActivityMs >= today) stats.today++;
    byChannel[attributes.channel ?? "SMS"]++;
    totalMs += attributes.responseStats?.totalMs ?? 0;
    samples += attributes.responseStats?.count ?? 0;
  }
  return {
    ...stats,
    byChannel,
    avgResponseMinutes: samples > 0 ? Math.round((totalMs / samples / 60000) * 100) / 100 : null,
    responseSamples: samples,
  };
}
