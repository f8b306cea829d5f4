import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** One aggregated row: a minute of one route, method, status class and credential kind. */
export interface ApiMetricRow {
  minute: Date;
  method: string;
  route: string;
  statusClass: string;
  credential: string;
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  histogram: number[];
}

/** Scalar figures over a window, per route, method, status class and credential. */
export interface AggregateRow {
  method: string;
  route: string;
  status_class: string;
  credential: string;
  count: number;
  sum_ms: number;
  min_ms: number;
  max_ms: number;
}

/** Summed histogram bucket of a route over a window (0-based bucket index). */
export interface HistogramBucketRow {
  method: string;
  route: string;
  bucket: number;
  count: number;
}

export interface TimelineRow {
  /** Bucket start, ms since epoch. */
  bucket: number;
  count: number;
  errors: number;
}

const COLUMNS = 10;
/** Rows per statement: keeps the bind parameters far below PostgreSQL's 65,535. */
const MAX_ROWS_PER_STATEMENT = 1_000;

const ERROR_CLASSES = `('4xx', '5xx')`;

/** Every query of the api_metrics table. */
@Injectable()
export class ApiMetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Adds the rows to what is stored (counts and histograms add, extremes widen).
   * Rows are written in key order, so instances flushing at once never deadlock.
   */
  async add(rows: ApiMetricRow[]): Promise<void> {
    if (!rows.length) return;
    const sorted = [...rows].sort(compareKeys);
    const chunks: ApiMetricRow[][] = [];
    for (let i = 0; i < sorted.length; i += MAX_ROWS_PER_STATEMENT)
      chunks.push(sorted.slice(i, i + MAX_ROWS_PER_STATEMENT));
    if (chunks.length === 1) return this.upsert(this.dataSource, chunks[0]);
    await this.dataSource.transaction(async (manager) => {
      for (const chunk of chunks) await this.upsert(manager, chunk);
    });
  }

  private async upsert(
    runner: { query: DataSource['query'] },
    rows: ApiMetricRow[],
  ): Promise<void> {
    const params: unknown[] = [];
    const values = rows.map((row, index) => {
      params.push(
        row.minute,
        row.method,
        row.route,
        row.statusClass,
        row.credential,
        row.count,
        row.sumMs,
        row.minMs,
        row.maxMs,
        row.histogram,
      );
      const p = (offset: number) => `$${index * COLUMNS + offset}`;
      return `(${p(1)}::timestamptz, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::int, ${p(7)}::float8, ${p(8)}::float8, ${p(9)}::float8, ${p(10)}::int[])`;
    });
    await runner.query(
      `INSERT INTO api_metrics (minute, method, route, status_class, credential, count, sum_ms, min_ms, max_ms, histogram)
       VALUES ${values.join(', ')}
       ON CONFLICT ON CONSTRAINT api_metrics_pkey DO UPDATE SET
         count = api_metrics.count + EXCLUDED.count,
         sum_ms = api_metrics.sum_ms + EXCLUDED.sum_ms,
         min_ms = LEAST(api_metrics.min_ms, EXCLUDED.min_ms),
         max_ms = GREATEST(api_metrics.max_ms, EXCLUDED.max_ms),
         histogram = ARRAY(
           SELECT coalesce(a, 0) + coalesce(b, 0)
           FROM unnest(api_metrics.histogram, EXCLUDED.histogram) WITH ORDINALITY AS h(a, b, i)
           ORDER BY i
         )`,
      params,
    );
  }

  async aggregates(since: Date): Promise<AggregateRow[]> {
    const rows = await this.dataSource.query<AggregateRow[]>(
      `SELECT method, route, status_class, credential, sum(count)::float8 AS count,
              sum(sum_ms) AS sum_ms, min(min_ms) AS min_ms, max(max_ms) AS max_ms
       FROM api_metrics WHERE minute >= $1
       GROUP BY method, route, status_class, credential`,
      [since],
    );
    return rows;
  }

  async histograms(since: Date): Promise<HistogramBucketRow[]> {
    return this.dataSource.query<HistogramBucketRow[]>(
      `SELECT m.method, m.route, (h.i - 1)::int AS bucket, sum(h.v)::float8 AS count
       FROM api_metrics m CROSS JOIN LATERAL unnest(m.histogram) WITH ORDINALITY AS h(v, i)
       WHERE m.minute >= $1 AND h.v > 0
       GROUP BY m.method, m.route, h.i`,
      [since],
    );
  }

  async timeline(since: Date, bucketMs: number): Promise<TimelineRow[]> {
    return this.dataSource.query<TimelineRow[]>(
      `SELECT (floor(extract(epoch FROM minute) * 1000 / $2) * $2)::float8 AS bucket,
              sum(count)::float8 AS count,
              coalesce(sum(count) FILTER (WHERE status_class IN ${ERROR_CLASSES}), 0)::float8 AS errors
       FROM api_metrics WHERE minute >= $1
       GROUP BY 1 ORDER BY 1`,
      [since, bucketMs],
    );
  }

  /** Requests per hour of the day (UTC) since `since`. */
  requestsByHour(since: Date): Promise<{ hour: number; api_requests: number }[]> {
    return this.dataSource.query(
      `SELECT extract(hour FROM minute AT TIME ZONE 'UTC')::int AS hour,
              sum(count)::float8 AS api_requests
       FROM api_metrics WHERE minute >= $1
       GROUP BY 1`,
      [since],
    );
  }

  /** Oldest minutes first, at most `limit` rows, through `within` (a retention batch). */
  async deleteOlderThan(days: number, limit: number, within: EntityManager): Promise<number> {
    const rows: { deleted: number }[] = await within.query(
      `WITH gone AS (
         DELETE FROM api_metrics WHERE (minute, method, route, status_class, credential) IN (
           SELECT minute, method, route, status_class, credential FROM api_metrics
            WHERE minute < now() - make_interval(days => $1) ORDER BY minute LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [days, limit],
    );
    return rows[0].deleted;
  }
}

function compareKeys(a: ApiMetricRow, b: ApiMetricRow): number {
  return (
    a.minute.getTime() - b.minute.getTime() ||
    compare(a.method, b.method) ||
    compare(a.route, b.route) ||
    compare(a.statusClass, b.statusClass) ||
    compare(a.credential, b.credential)
  );
}

// Byte order, like PostgreSQL's "C" collation would; only consistency across instances matters.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
