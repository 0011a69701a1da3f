import type { IncomingMessage } from "node:http";
import { wallClockMs } from "./latency-stats.js";

/** The header a benchmark's load generator numbers its requests with. */
export const BENCH_SEQ_HEADER = "x-bench-seq";

/**
 * When each numbered request reached the server (Node's `request` event: headers parsed, body not yet read), so
 * webhook → socket latency is measured from arrival, not from when the load generator meant to send.
 */
export class ArrivalClock {
  private times: Float64Array = new Float64Array(0);

  /** Forgets earlier runs and makes room for `count` requests numbered 0 … count-1. */
  reset(count: number): void {
    this.times = new Float64Array(count).fill(NaN);
  }

  stamp(request: IncomingMessage): void {
    const raw = request.headers[BENCH_SEQ_HEADER];
    if (typeof raw !== "string") return;
    const seq = Number(raw);
    if (seq >= 0 && seq < this.times.length) this.times[seq] = wallClockMs();
  }

  /** The arrival times, to hand to another process. */
  export(): Float64Array {
    return this.times;
  }

  /** A clock holding another process's arrival times. */
  static of(times: Float64Array): ArrivalClock {
    const clock = new ArrivalClock();
    clock.times = times;
    return clock;
  }

  at(seq: number): number {
    return this.times[seq] ?? NaN;
  }

  /** How many of the numbered requests arrived, and at what rate from the first arrival to the last. */
  summary(): { arrived: number; perSec: number } {
    let arrived = 0;
    let first = Infinity;
    let last = -Infinity;
    for (const time of this.times) {
      if (Number.isNaN(time)) continue;
      arrived++;
      first = Math.min(first, time);
      last = Math.max(last, time);
    }
    return { arrived, perSec: arrived > 1 ? Math.round(((arrived - 1) * 1000) / (last - first)) : 0 };
  }
}
