/**
 * Rate-limits deliveries per key with a window: the first value of a quiet key goes out at once and opens a window of
 * `intervalMs`; values pushed during the window are folded into what it holds, which goes out when it ends (and opens
 * the next window; a window that ends holding nothing lets the key go quiet). Nothing but intermediate states is
 * lost. `intervalMs` 0 delivers every value on its own.
 *
 * The next window opens before the held value is delivered, so whatever the delivery's listeners push for the same
 * key lands in that window instead of going out at once beside it.
 */
export interface KeyWindows<V, H> {
  push(key: string, value: V): void;
  /** Takes something out of what the key's window holds (`remove` answers what stays; undefined: nothing). */
  drop(key: string, remove: (held: H) => H | undefined): void;
  /** Delivers what every window holds, now, and stops the timers. */
  flush(): void;
}

/** `fold` adds a value to what a window holds (undefined: it holds nothing yet) and answers the new holding. */
export function windowPerKey<V, H>(
  intervalMs: number,
  fold: (held: H | undefined, value: V) => H,
  deliver: (key: string, held: H) => void,
): KeyWindows<V, H> {
  const windows = new Map<string, { held?: H; timer: NodeJS.Timeout }>();
  const open = (key: string) => {
    const timer = setTimeout(() => {
      const held = windows.get(key)?.held;
      windows.delete(key);
      if (held === undefined) return;
      open(key);
      deliver(key, held);
    }, intervalMs);
    timer.unref();
    windows.set(key, { timer });
  };
  return {
    push(key, value) {
      const window = intervalMs > 0 ? windows.get(key) : undefined;
      if (window) {
        window.held = fold(window.held, value);
        return;
      }
      if (intervalMs > 0) open(key);
      deliver(key, fold(undefined, value));
    },
    drop(key, remove) {
      const window = windows.get(key);
      if (window?.held !== undefined) window.held = remove(window.held);
    },
    flush() {
      for (const [key, window] of windows) {
        clearTimeout(window.timer);
        windows.delete(key);
        if (window.held !== undefined) deliver(key, window.held);
      }
    },
  };
}
