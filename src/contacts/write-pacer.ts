/**
 * Spaces out writes to Twilio: at most `perSecond` start in any one-second window (Twilio allows 30 creates per
 * second per Conversations Service; the rest of a burst waits, not fails). `now` and `sleep` are injectable so
 * the schedule can be checked without waiting.
 */
export class WritePacer {
  private next = 0;

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
  }
}
