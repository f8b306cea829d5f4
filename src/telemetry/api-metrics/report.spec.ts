import { describe, expect, it } from 'vitest';
import { timeWindow } from '../../common/time-range.js';
import type { AggregateRow, HistogramBucketRow } from './api-metrics.repository.js';
import { bucketOf } from './histogram.js';
import { buildReport, summarise } from './report.js';

function row(
  route: string,
  statusClass: string,
  count: number,
  ms: number,
  credential = 'api_key',
): AggregateRow {
  return {
    method: 'GET',
    route,
    status_class: statusClass,
    credential,
    count,
    sum_ms: count * ms,
    min_ms: ms,
    max_ms: ms,
  };
}

const bucket = (route: string, ms: number, count: number): HistogramBucketRow => ({
  method: 'GET',
  route,
  bucket: bucketOf(ms),
  count,
});

describe('API metrics summary', () => {
  it('counts, error rates and percentiles per route and overall', () => {
    const aggregates = [
      row('/a', '2xx', 30, 2),
      row('/b', '2xx', 20, 10),
      row('/b', '4xx', 10, 10, 'user'),
    ];
    const buckets = [bucket('/a', 2, 30), bucket('/b', 10, 30)];
    const { totals, routes } = summarise(aggregates, buckets, 60 * 60_000);
    expect(routes.map((r) => [r.route, r.count, r.errors, r.error_rate])).toEqual([
      ['/a', 30, 0, 0],
      ['/b', 30, 10, 33.33],
    ]);
    const b = routes[1];
    expect(b.status_classes).toEqual({ '2xx': 20, '3xx': 0, '4xx': 10, '5xx': 0 });
    expect(b.by_credential).toEqual({ api_key: 20, user: 10 });
    // Every observation is 10 ms: percentiles clamp to the observed extremes.
    expect(b.latency_ms).toEqual({ avg: 10, min: 10, p50: 10, p95: 10, p99: 10, max: 10 });
    expect(totals).toMatchObject({
      count: 60,
      errors: 10,
      error_rate: 16.67,
      client_errors: 10,
      server_errors: 0,
      requests_per_minute: 1,
    });
    expect(totals.latency_ms.min).toBe(2);
    expect(totals.latency_ms.max).toBe(10);
    expect(totals.latency_ms.p50).toBe(2);
    expect(totals.latency_ms.p99).toBe(10);
  });

  it('answers zeros and nulls for no traffic', () => {
    const report = buildReport(timeWindow('1h', new Date('2026-01-01T00:30:00Z')), [], [], []);
    expect(report.routes).toEqual([]);
    expect(report.totals).toMatchObject({
      count: 0,
      errors: 0,
      error_rate: 0,
      requests_per_minute: 0,
    });
    expect(report.totals.latency_ms).toEqual({
      avg: null,
      min: null,
      p50: null,
      p95: null,
      p99: null,
      max: null,
    });
    expect(report.timeline).toHaveLength(60);
    expect(report.timeline.every((point) => point.count === 0)).toBe(true);
  });

  it('puts timeline rows in their buckets', () => {
    const window = timeWindow('24h', new Date('2026-01-01T12:30:00Z'));
    const report = buildReport(
      window,
      [],
      [],
      [{ bucket: Date.parse('2026-01-01T11:00:00Z'), count: 5, errors: 1 }],
    );
    expect(report.bucket_seconds).toBe(3600);
    expect(report.timeline.at(-2)).toEqual({
      timestamp: '2026-01-01T11:00:00.000Z',
      count: 5,
      errors: 1,
    });
  });
});
