import { latencyStats, type LatencyStats } from "./latency-stats.js";
import type { DriveReply } from "./socket-load-worker.js";

/** What every webhook drive reports alike. */
export interface DriveOutcome {
  /** 2xx answers ÷ (last answer − first send): the rate the server kept up with. */
  sustainedPerSec: number;
  statuses: Record<string, number>;
  /** Webhook sent → answered (how long Twilio would wait). */
  answerMs: LatencyStats;
  /** Webhook arrival at the server that got it → message:received at a client, over every delivery. */
  deliveryMs: LatencyStats;
  deliveries: number;
}

/**
 * What every webhook drive reports alike: the rate the server answered at (2xx ÷ first send → last answer), the
 * answers' latencies, and each delivery's latency from the arrival of its webhook (`arrivalOf`: the server's stamp
 * for that webhook's number; NaN when it never arrived).
 */
export function driveOutcome(reply: DriveReply, arrivalOf: (seq: number) => number): DriveOutcome {
  const delivery: number[] = [];
  for (let i = 0; i < reply.receiptSeq.length; i++) {
    const arrived = arrivalOf(reply.receiptSeq[i]!);
    if (!Number.isNaN(arrived)) delivery.push(reply.receiptAt[i]! - arrived);
  }
  const ok = Object.entries(reply.statuses).reduce((sum, [status, n]) => sum + (status.startsWith("2") ? n : 0), 0);
  return {
    sustainedPerSec: Math.round(ok / ((reply.lastResponseMs - reply.firstSendMs) / 1000)),
    statuses: reply.statuses,
    answerMs: latencyStats(Array.from(reply.responseMs).filter((ms) => !Number.isNaN(ms))),
    deliveryMs: latencyStats(delivery),
    deliveries: reply.receiptSeq.length,
  };
}
