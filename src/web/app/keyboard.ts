import { conversations, selectedSid } from "./inbox-state.js";
import { openConversation } from "./thread-state.js";

const TYPING_TARGETS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** J / K: next / previous conversation (not while typing in a field). Returns the remover. */
export function installKeyboard(): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target && (TYPING_TARGETS.has(target.tagName) || target.isContentEditable)) return;
    const key = event.key.toLowerCase();
    if (key !== "j" && key !== "k") return;
    const list = conversations.peek();
    if (list.length === 0) return;
    event.preventDefault();
    const at = list.findIndex((c) => c.sid === selectedSid.peek());
    const next = at === -1 ? 0 : Math.min(list.length - 1, Math.max(0, at + (key === "j" ? 1 : -1)));
    const sid = list[next]!.sid;
    void openConversation(sid);
    focusRow(sid);
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}

/** Puts the focus on a conversation's row of the list, once the list is drawn. */
export function focusRow(sid: string): void {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(`.conversation[data-sid="${sid}"] .conversation-open`)?.focus());
}
