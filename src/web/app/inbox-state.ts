import { computed, effect, signal } from "@preact/signals";
import { api, ApiError } from "./api.js";
import type { Conversation, ConversationFilter, InboxTotals } from "./api-types.js";
import { byActivity, matchesView } from "./conversation-model.js";

const PAGE_SIZE = 30;

export const filter = signal<ConversationFilter>("all");
export const search = signal("");
export const conversations = signal<Conversation[]>([]);
/** The `Link` of the next page of the list, while there is one. */
export const nextPage = signal<string | undefined>(undefined);
export const listState = signal<"loading" | "ready" | "error">("loading");
export const listError = signal<string | undefined>(undefined);
export const loadingMore = signal(false);
export const totals = signal<InboxTotals | undefined>(undefined);
/** The conversation open in the thread. */
export const selectedSid = signal<string | undefined>(undefined);
export const selected = computed(() => conversations.value.find((c) => c.sid === selectedSid.value));

/** `(3) Switchboard`: conversations with unread messages, as the `unread` filter counts them. */
export const pageTitle = computed(() => {
  const unread = totals.value?.unreadConversations ?? 0;
  return unread > 0 ? `(${unread}) Switchboard` : "Switchboard";
});
effect(() => {
  document.title = pageTitle.value;
});

let listGeneration = 0;

/** The first page for the current filter and search (again: after a reconnect, a filter change). */
export async function loadList(): Promise<void> {
  const generation = ++listGeneration;
  if (conversations.value.length === 0) listState.value = "loading";
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), filter: filter.value });
  if (search.value.trim()) query.set("search", search.value.trim());
  try {
    const answer = await api<Conversation[]>("GET", `/api/v1/chat/conversations?${query}`);
    if (generation !== listGeneration) return;
    // The open conversation stays in view even when the filter no longer matches it.
    const open = selected.peek();
    const fresh = answer.data;
    conversations.value = open && !fresh.some((c) => c.sid === open.sid) ? [...fresh, open].sort(byActivity) : fresh;
    nextPage.value = answer.next;
    listState.value = "ready";
    listError.value = undefined;
    markListRendered();
  } catch (error) {
    if (generation !== listGeneration) return;
    listState.value = "error";
    listError.value = error instanceof ApiError ? error.message : String(error);
  }
}

/** The next page (the list's `Link`), appended. */
export async function loadMore(): Promise<void> {
  const next = nextPage.value;
  if (!next || loadingMore.value) return;
  const generation = listGeneration;
  loadingMore.value = true;
  try {
    const answer = await api<Conversation[]>("GET", next);
    if (generation !== listGeneration) return;
    const known = new Set(conversations.value.map((c) => c.sid));
    conversations.value = [...conversations.value, ...answer.data.filter((c) => !known.has(c.sid))];
    nextPage.value = answer.next;
  } catch (error) {
    listError.value = error instanceof ApiError ? error.message : String(error);
  } finally {
    loadingMore.value = false;
  }
}

/** A conversation as the API now shows it (a live `conversation:updated`, or a write's answer): placed by activity. */
/** Forgets the list and its totals (another tenant's are about to load). */
export function clearList(): void {
  listGeneration++;
  conversations.value = [];
  nextPage.value = undefined;
  totals.value = undefined;
  listState.value = "loading";
}

export function upsertConversation(conversation: Conversation): void {
  const others = conversations.value.filter((c) => c.sid !== conversation.sid);
  const present = others.length !== conversations.value.length;
  const belongs = matchesView(conversation, filter.value, search.value) || conversation.sid === selectedSid.value;
  if (!belongs) {
    if (present) conversations.value = others;
    return;
  }
  // A conversation older than the last one loaded belongs to a page not loaded yet, unless it was already shown.
  const last = others.at(-1);
  if (!present && nextPage.value && last && byActivity(conversation, last) > 0) return;
  conversations.value = [...others, conversation].sort(byActivity);
}

export function removeConversation(sid: string): void {
  conversations.value = conversations.value.filter((c) => c.sid !== sid);
}

let totalsTimer: ReturnType<typeof setTimeout> | undefined;
/** GET /chat/stats, at most every 300 ms (a burst of updates asks once). */
export function refreshTotals(delayMs = 300): void {
  clearTimeout(totalsTimer);
  totalsTimer = setTimeout(() => {
    api<InboxTotals>("GET", "/api/v1/chat/stats").then(
      (answer) => (totals.value = answer.data),
      () => undefined,
    );
  }, delayMs);
}

export async function setStarred(conversation: Conversation, starred: boolean): Promise<void> {
  const answer = await api<Conversation>("PATCH", `/api/v1/chat/conversations/${conversation.sid}/attributes`, { body: { isStarred: starred } });
  upsertConversation(answer.data);
  refreshTotals(0);
}

export async function markRead(sid: string): Promise<void> {
  const answer = await api<Conversation>("PATCH", `/api/v1/chat/conversations/${sid}/attributes`, { body: { unreadCount: 0 } });
  upsertConversation(answer.data);
  refreshTotals(0);
}

/** `performance.mark("inbox:list")` once, when the first list is on screen (read by the benchmark). */
let marked = false;
function markListRendered(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => performance.mark("inbox:list"));
}
