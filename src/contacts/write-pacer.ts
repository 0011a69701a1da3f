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

  /** Resolves when the next write may start (evenly spaced, 1000 / perSecond ms apart). */
  async acquire(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await this.sleep(at - now);
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
