/** Latency figures for the benchmarks: nearest-rank percentiles of samples in milliseconds. */

/** The p-th percentile (nearest rank) of samples sorted ascending; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
}

/** How many samples, and their median and 99th percentile (the samples are not reordered). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}
