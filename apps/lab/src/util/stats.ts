/** Summary statistics for the bench: nearest-rank percentiles, so every reported value was measured. */
export interface Summary {
  runs: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  min: number | null;
  mean: number | null;
}

/** Nearest-rank percentile (p in (0, 100]) of an unsorted list; null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)] as number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { runs: 0, p50: null, p95: null, max: null, min: null, mean: null };
  return {
    runs: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: Math.max(...values),
    min: Math.min(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}
