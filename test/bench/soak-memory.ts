/** Memory samples of the gateway's process during the soak, and what they say about growth. */
export interface MemorySample {
  /** Seconds since the traffic started. */
  tSec: number;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  /** Messages in the in-process emulator's store (it shares the heap: its growth is Twilio's, not the gateway's). */
  emulatorMessages: number;
  cacheEntries: number;
  cacheMB: number;
  /** Keys in the gateway's webhook dedupe (bounded by WEBHOOK_DEDUPE_MAX_KEYS). */
  dedupeKeys: number;
  /** Messages in the gateway's search indexes (bounded per tenant by SEARCH_INDEX_MAX_MESSAGES). */
  searchIndexMessages: number;
  /** heapUsedMB less the emulator's messages (their weight is measured once, at the end of the run). */
  heapUsedLessEmulatorMB?: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 100) / 100;

/** process.memoryUsage() after a full collection (the process runs with --expose-gc). */
export function sampleMemory(
  tSec: number,
  extra: { emulatorMessages: number; cacheEntries: number; cacheBytes: number; dedupeKeys: number; searchIndexMessages: number },
): MemorySample {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return {
    tSec: Math.round(tSec * 10) / 10,
    rssMB: mb(usage.rss),
    heapUsedMB: mb(usage.heapUsed),
    heapTotalMB: mb(usage.heapTotal),
    externalMB: mb(usage.external),
    emulatorMessages: extra.emulatorMessages,
    cacheEntries: extra.cacheEntries,
    cacheMB: mb(extra.cacheBytes),
    dedupeKeys: extra.dedupeKeys,
    searchIndexMessages: extra.searchIndexMessages,
  };
}

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

export interface SeriesSummary {
  start: number;
  end: number;
  max: number;
  /** Mean of the samples in the first minute (the baseline). */
  firstMinuteMean: number;
  /** Mean of the samples in the last minute. */
  lastMinuteMean: number;
  /** lastMinuteMean − firstMinuteMean. */
  driftMB: number;
  /** Least-squares slope over the second half of the run, MB per minute. */
  secondHalfSlopeMBPerMin: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export function summarise(
  samples: MemorySample[],
  field: "rssMB" | "heapUsedMB" | "heapUsedLessEmulatorMB",
  durationSec: number,
): SeriesSummary {
  const value = (s: MemorySample) => s[field] ?? NaN;
  const values = samples.map(value);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const firstMinute = samples.filter((s) => s.tSec <= Math.min(60, durationSec / 2)).map(value);
  const lastMinute = samples.filter((s) => s.tSec >= durationSec - Math.min(60, durationSec / 2)).map(value);
  const secondHalf = samples.filter((s) => s.tSec >= durationSec / 2).map((s) => [s.tSec / 60, value(s)] as [number, number]);
  return {
    start: values[0] ?? NaN,
    end: values[values.length - 1] ?? NaN,
    max: Math.max(...values),
    firstMinuteMean: round(mean(firstMinute)),
    lastMinuteMean: round(mean(lastMinute)),
    driftMB: round(mean(lastMinute) - mean(firstMinute)),
    secondHalfSlopeMBPerMin: round(slope(secondHalf), 3),
  };
}
