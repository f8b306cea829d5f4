/**
 * Latency histograms with fixed log-scale buckets. Every instance and every minute
 * uses the same bounds, so histograms merge by adding counts bucket by bucket, and
 * percentiles over any set of them come from the merged counts.
 */

/** Upper bound of the first bucket (ms); each next bound is 2^(1/4) (≈ 19 %) larger. */
export const FIRST_BOUND_MS = 0.25;
const STEPS_PER_DOUBLING = 4;
/** 72 bounds: 0.25 ms … ≈ 58 s; one more bucket holds everything slower. */
export const BOUNDS_MS: readonly number[] = Array.from(
  { length: 72 },
  (_, i) => FIRST_BOUND_MS * 2 ** (i / STEPS_PER_DOUBLING),
);
export const HISTOGRAM_SIZE = BOUNDS_MS.length + 1;

export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(HISTOGRAM_SIZE).fill(0);
}

/** Index of the bucket holding `ms`: the first whose upper bound is >= ms. */
export function bucketOf(ms: number): number {
  if (!(ms > FIRST_BOUND_MS)) return 0;
  let index = Math.ceil(Math.log2(ms / FIRST_BOUND_MS) * STEPS_PER_DOUBLING);
  // Floating-point rounding can land one off either way.
  while (index > 0 && BOUNDS_MS[index - 1] >= ms) index--;
  while (index < BOUNDS_MS.length && BOUNDS_MS[index] < ms) index++;
  return Math.min(index, BOUNDS_MS.length);
}

export function observe(histogram: Histogram, ms: number): void {
  histogram[bucketOf(ms)]++;
}

/** Adds `source` into `target` (lengths may differ: a missing bucket counts 0). */
export function mergeInto(target: Histogram, source: readonly number[]): Histogram {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + (source[i] ?? 0);
  return target;
}

export function mergeHistograms(histograms: readonly (readonly number[])[]): Histogram {
  const merged = emptyHistogram();
  for (const histogram of histograms) mergeInto(merged, histogram);
  return merged;
}

export function histogramCount(histogram: readonly number[]): number {
  let total = 0;
  for (const count of histogram) total += count;
  return total;
}

/**
 * The `p`-th percentile (0-100) estimated from bucket counts: the rank's bucket,
 * interpolated linearly inside it, and clamped to the observed min and max (which
 * also bounds the open last bucket). Null when the histogram is empty.
 */
export function percentile(
  histogram: readonly number[],
  p: number,
  observed: { min?: number | null; max?: number | null } = {},
): number | null {
  const total = histogramCount(histogram);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i];
    if (count === 0 || seen + count < rank) {
      seen += count;
      continue;
    }
    const lower = i === 0 ? 0 : BOUNDS_MS[i - 1];
    const upper = i < BOUNDS_MS.length ? BOUNDS_MS[i] : (observed.max ?? lower);
    let value = lower + (upper - lower) * ((rank - seen - 0.5) / count);
    if (observed.max != null) value = Math.min(value, observed.max);
    if (observed.min != null) value = Math.max(value, observed.min);
    return value;
  }
  return null;
}
