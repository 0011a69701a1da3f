/** Percentiles of a sample set (nearest rank), in the samples' unit. */
export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function latencyStats(samples: ArrayLike<number>): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  const count = sorted.length;
  if (count === 0) return { count: 0, p50: NaN, p99: NaN, mean: NaN, max: NaN };
  const rank = (p: number) => sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))]!;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { count, p50: rank(50), p99: rank(99), mean: sum / count, max: sorted[count - 1]! };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes of one machine. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

/** `a / b`, NaN-safe, rounded for the report. */
export const ratio = (a: number, b: number): number =>
  b === 0 ? (a === 0 ? 1 : Infinity) : Math.round((a / b) * 1000) / 1000;
