/** The reporting windows of system statistics (`time_range=`). */
export const TIME_RANGES = ['1h', '24h', '7d', '30d'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket width and count per range: about the number of points a chart wants. */
const BUCKETS: Record<TimeRange, { bucketMs: number; buckets: number }> = {
  '1h': { bucketMs: MINUTE, buckets: 60 },
  '24h': { bucketMs: HOUR, buckets: 24 },
  '7d': { bucketMs: 6 * HOUR, buckets: 28 },
  '30d': { bucketMs: DAY, buckets: 30 },
};

export interface TimeWindow {
  range: TimeRange;
  /** Start of the first bucket: totals and buckets cover exactly [since, until]. */
  since: Date;
  until: Date;
  bucketMs: number;
  bucketStarts: Date[];
}

/**
 * The buckets of a range ending now, aligned to UTC multiples of the bucket width
 * (whole minutes, hours, 6-hour blocks, days): the last bucket holds `now`.
 */
export function timeWindow(range: TimeRange, now: Date = new Date()): TimeWindow {
  const { bucketMs, buckets } = BUCKETS[range];
  const current = Math.floor(now.getTime() / bucketMs) * bucketMs;
  const first = current - (buckets - 1) * bucketMs;
  return {
    range,
    since: new Date(first),
    until: now,
    bucketMs,
    bucketStarts: Array.from({ length: buckets }, (_, i) => new Date(first + i * bucketMs)),
  };
}

/** Places per-bucket rows (keyed by bucket start, ms) on every bucket of the window, zeros elsewhere. */
export function fillBuckets<T extends object>(
  window: TimeWindow,
  rows: Map<number, T>,
  empty: () => T,
): (T & { timestamp: string })[] {
  return window.bucketStarts.map((start) => ({
    timestamp: start.toISOString(),
    ...(rows.get(start.getTime()) ?? empty()),
  }));
}
