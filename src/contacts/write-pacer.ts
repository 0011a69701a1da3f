/**
 * Spaces out writes to Twilio: at most `perSecond` start in any one-second window (Twilio allows 30 User creates,
 * updates and deletes per second per Conversations Service,
 * https://twilio.com/en-us/changelog/increasing-actions-per-second-for-conversations-; the rest of a burst waits, not
 * fails). `now` and `sleep` are injectable so the schedule can be checked without waiting.
 */
export class WritePacer {
  private next = 0;
  /** When the writes of the last second actually started (oldest first). */
  private readonly started: number[] = [];

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Until when Twilio asked for no more writes (a 429): no write starts before it. */
  private heldUntil = 0;

  /**
   * Twilio refused a write of this service with 429: no further write starts for `ms` (its Retry-After, else a
   * second — the limit counts per second). The refused write's own retry waits in the upstream client; what the
   * pacer holds back is the import's next rows, which would otherwise go on at full pace into the refusals.
   */
  holdFor(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.now() + ms);
  }

  /** Resolves when the next write may start (evenly spaced, 1000 / perSecond ms apart; none while held). */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      const at = Math.max(now, this.next, this.heldUntil);
      this.next = at + 1000 / this.perSecond;
      if (at > now) await this.sleep(at - now);
      // A 429 heard while this one waited for its turn: it takes a new turn after the hold, spaced like the rest.
      if (this.heldUntil <= this.now()) break;
    }
    // Timers fire late on a busy machine, and late ones fire together: the spacing alone let 31 creates start in one
    // second at 25/s (business bench). So the second is also counted as it really went.
    for (;;) {
      const time = this.now();
      while (this.started.length > 0 && this.started[0]! <= time - 1000) this.started.shift();
      if (this.started.length < this.perSecond) {
        this.started.push(time);
        return;
      }
      await this.sleep(this.started[0]! + 1000 - time);
    }
  }
}

/** A call that counts against Twilio's per-service limit on User creates, updates and deletes (the pacer's). */
export function isUserWrite(call: { method: string; url: string }): boolean {
  return call.method !== "GET" && /\/Users(\/[^/]+)?$/.test(new URL(call.url).pathname);
}
