import { markRead, selected } from "./inbox-state.js";
import { unreadOf } from "./conversation-model.js";
import { thread } from "./thread-state.js";

let timer: ReturnType<typeof setTimeout> | undefined;

/** A customer message arrived in the open conversation: read, if the person can see it (else when they come back). */
export function markReadIfVisible(sid: string): void {
  if (document.visibilityState !== "visible") return;
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (thread.peek()?.sid === sid) void markRead(sid).catch(() => undefined);
  }, 300);
}

document.addEventListener("visibilitychange", () => {
  const open = selected.peek();
  if (open && thread.peek()?.sid === open.sid && unreadOf(open) > 0) markReadIfVisible(open.sid);
});
