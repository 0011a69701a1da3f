import type { Channel, Conversation, ConversationFilter } from "./api-types.js";

/** The conversation attributes the page reads (a JSON string in the API). */
export interface ConversationAttributes {
  channel?: Channel;
  unreadCount?: number;
  isStarred?: boolean;
  contactDetails?: { email?: string; phone?: string };
}

const parsed = new WeakMap<Conversation, ConversationAttributes>();

export function attributesOf(conversation: Conversation): ConversationAttributes {
  let attributes = parsed.get(conversation);
  if (!attributes) {
    attributes = parseJson<ConversationAttributes>(conversation.attributes);
    parsed.set(conversation, attributes);
  }
  return attributes;
}

export function parseJson<T extends object>(text: string | null | undefined): T {
  try {
    const value = JSON.parse(text ?? "{}") as unknown;
    return (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as T;
  } catch {
    return {} as T;
  }
}

export const channelOf = (c: Conversation): Channel => attributesOf(c).channel ?? "SMS";
export const unreadOf = (c: Conversation): number => attributesOf(c).unreadCount ?? 0;
export const isStarred = (c: Conversation): boolean => attributesOf(c).isStarred === true;

/** The contact's name: the conversation's name, else its phone or email. */
export function contactName(c: Conversation): string {
  const details = attributesOf(c).contactDetails;
  const binding = c.participants?.find((p) => p.messagingBinding)?.messagingBinding?.address.replace(/^whatsapp:/, "");
  return c.friendlyName || details?.phone || details?.email || binding || "Unknown contact";
}

/** As the API sorts the list: the latest message's time, else the conversation's last update. */
export const lastActivityMs = (c: Conversation): number => Date.parse(c.latestMessage?.dateCreated ?? c.dateUpdated) || 0;

/** Newest activity first, ties by SID (the API's order, so live updates land where a reload would put them). */
export const byActivity = (a: Conversation, b: Conversation) => lastActivityMs(b) - lastActivityMs(a) || (a.sid < b.sid ? -1 : 1);

const RECENTS_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Whether a conversation belongs in the list under this filter and search (the API's rules, for live updates). */
export function matchesView(c: Conversation, filter: ConversationFilter, search: string): boolean {
  const okFilter =
    filter === "all" ||
    (filter === "unread" && unreadOf(c) > 0) ||
    (filter === "starred" && isStarred(c)) ||
    (filter === "recents" && Date.now() - lastActivityMs(c) <= RECENTS_WINDOW_MS);
  if (!okFilter) return false;
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  const details = attributesOf(c).contactDetails;
  const haystack = [c.friendlyName, details?.email, details?.phone, c.latestMessage?.body, ...(c.participants ?? []).map((p) => p.messagingBinding?.address ?? p.identity)]
    .filter(Boolean)
    .join("\n")
    .toLowerCase();
  return haystack.includes(needle);
}
