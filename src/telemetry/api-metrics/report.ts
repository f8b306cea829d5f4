import type {
  ApiMetricsReportDto,
  ApiTotalsDto,
  RouteFiguresDto,
  TrafficFiguresDto,
} from '../dto/api-metrics.dto.js';
import { fillBuckets, TimeWindow } from '../../common/time-range.js';
import { rate, round, roundOrNull } from '../../common/resources.js';
import type { AggregateRow, HistogramBucketRow, TimelineRow } from './api-metrics.repository.js';
import { emptyHistogram, Histogram, mergeInto, percentile } from './histogram.js';

export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

interface Accumulator {
  count: number;
  sumMs: number;
  minMs: number | null;
  maxMs: number | null;
  statusClasses: Record<string, number>;
  credentials: Record<string, number>;
  histogram: Histogram;
}

function accumulator(): Accumulator {
  return {
    count: 0,
    sumMs: 0,
    minMs: null,
    maxMs: null,
    statusClasses: Object.fromEntries(STATUS_CLASSES.map((c) => [c, 0])),
    credentials: {},
    histogram: emptyHistogram(),
  };
}

function addRow(target: Accumulator, row: AggregateRow): void {
  const count = Number(row.count);
  target.count += count;
  target.sumMs += Number(row.sum_ms);
  const min = Number(row.min_ms);
  const max = Number(row.max_ms);
  target.minMs = target.minMs === null ? min : Math.min(target.minMs, min);
  target.maxMs = target.maxMs === null ? max : Math.max(target.maxMs, max);
  target.statusClasses[row.status_class] = (target.statusClasses[row.status_class] ?? 0) + count;
  target.credentials[row.credential] = (target.credentials[row.credential] ?? 0) + count;
}

function addAccumulator(target: Accumulator, source: Accumulator): void {
  target.count += source.count;
  target.sumMs += source.sumMs;
  if (source.minMs !== null)
    target.minMs = target.minMs === null ? source.minMs : Math.min(target.minMs, source.minMs);
  if (source.maxMs !== null)
    target.maxMs = target.maxMs === null ? source.maxMs : Math.max(target.maxMs, source.maxMs);
  for (const [key, count] of Object.entries(source.statusClasses))
    target.statusClasses[key] = (target.statusClasses[key] ?? 0) + count;
  for (const [key, count] of Object.entries(source.credentials))
    target.credentials[key] = (target.credentials[key] ?? 0) + count;
  mergeInto(target.histogram, source.histogram);
}

function figures(source: Accumulator): TrafficFiguresDto {
  const clientErrors = source.statusClasses['4xx'] ?? 0;
  const serverErrors = source.statusClasses['5xx'] ?? 0;
  const observed = { min: source.minMs, max: source.maxMs };
  return {
    count: source.count,
    errors: clientErrors + serverErrors,
    error_rate: rate(clientErrors + serverErrors, source.count),
    client_errors: clientErrors,
    server_errors: serverErrors,
    status_classes: source.statusClasses,
    by_credential: source.credentials,
    latency_ms: {
      avg: source.count ? roundOrNull(source.sumMs / source.count) : null,
      min: roundOrNull(source.minMs),
      p50: roundOrNull(percentile(source.histogram, 50, observed)),
      p95: roundOrNull(percentile(source.histogram, 95, observed)),
      p99: roundOrNull(percentile(source.histogram, 99, observed)),
      max: roundOrNull(source.maxMs),
    },
  };
}

/**
 * Per-route and overall traffic over a window, from the stored aggregates and the
 * summed histogram buckets; percentiles come from the merged histograms.
 */
export function summarise(
  aggregates: AggregateRow[],
  buckets: HistogramBucketRow[],
  windowMs: number,
): { totals: ApiTotalsDto; routes: RouteFiguresDto[] } {
  const routes = new Map<string, { method: string; route: string; acc: Accumulator }>();
  const routeOf = (method: string, route: string) => {
    const key = `${method} ${route}`;
    let entry = routes.get(key);
    if (!entry) {
      entry = { method, route, acc: accumulator() };
      routes.set(key, entry);
    }
    return entry.acc;
  };
  for (const row of aggregates) addRow(routeOf(row.method, row.route), row);
  for (const row of buckets) {
    const histogram = routeOf(row.method, row.route).histogram;
    histogram[row.bucket] = (histogram[row.bucket] ?? 0) + Number(row.count);
  }
  const total = accumulator();
  for (const { acc } of routes.values()) addAccumulator(total, acc);
  const minutes = windowMs / 60_000;
  return {
    totals: {
      ...figures(total),
      requests_per_minute: minutes > 0 ? round(total.count / minutes) : 0,
    },
    routes: [...routes.values()]
      .map(({ method, route, acc }) => ({ method, route, ...figures(acc) }))
      .sort(
        (a, b) =>
          b.count - a.count || a.route.localeCompare(b.route) || a.method.localeCompare(b.method),
      ),
  };
}

export function buildReport(
  window: TimeWindow,
  aggregates: AggregateRow[],
  buckets: HistogramBucketRow[],
  timeline: TimelineRow[],
): ApiMetricsReportDto {
  const { totals, routes } = summarise(
    aggregates,
    buckets,
    window.until.getTime() - window.since.getTime(),
  );
  const points = new Map(
    timeline.map((row) => [
      Number(row.bucket),
      { count: Number(row.count), errors: Number(row.errors) },
    ]),
  );
  return {
    time_range: window.range,
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    bucket_seconds: window.bucketMs / 1000,
    totals,
    routes,
    timeline: fillBuckets(window, points, () => ({ count: 0, errors: 0 })),
  };
}
