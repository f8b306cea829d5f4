import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TimeWindow } from '../common/time-range.js';
import type {
  AgentActivityRow,
  AgentTotalsRow,
  HourCountsRow,
  JobTypeRow,
  WorkItemBucketRow,
  WorkItemSummaryRow,
} from './analytics.js';

/**
 * A table of work that is created, started and finished, with the columns
 * `created_at`, `started_at`, `completed_at` and `status`: tasks and workflow runs,
 * measured by the same two queries.
 */
export interface WorkItemSource {
  table: string;
  succeeded: string;
  failed: string;
  cancelled: string;
}

export const TASK_ITEMS: WorkItemSource = {
  table: 'tasks',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const RUN_ITEMS: WorkItemSource = {
  table: 'workflow_runs',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const TOP_AGENTS = 10;

/** Per agent: its task time within [$1, $2], its finished tasks, its capacity over the range. */
const AGENT_ACTIVITY = `
  WITH busy AS (
    SELECT assigned_agent_id AS agent_id,
           sum(GREATEST(0, extract(epoch FROM (
             LEAST(CASE WHEN status = 'in_progress' THEN $2::timestamptz ELSE completed_at END, $2::timestamptz)
             - GREATEST(started_at, $1::timestamptz))) * 1000)) AS busy_ms
      FROM tasks
     WHERE assigned_agent_id IS NOT NULL AND started_at IS NOT NULL AND started_at < $2
       AND (status = 'in_progress'
            OR (status IN ('completed', 'failed', 'cancelled') AND completed_at > $1))
     GROUP BY assigned_agent_id
  ), finished AS (
    SELECT assigned_agent_id AS agent_id,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           avg(extract(epoch FROM (completed_at - started_at)) * 1000)
             FILTER (WHERE status = 'completed') AS avg_ms
      FROM tasks
     WHERE assigned_agent_id IS NOT NULL AND status IN ('completed', 'failed')
       AND completed_at >= $1 AND completed_at <= $2
     GROUP BY assigned_agent_id
  ), activity AS (
    SELECT a.id, a.name, a.agent_type, a.status,
           coalesce(f.completed, 0)::int AS completed, coalesce(f.failed, 0)::int AS failed,
           f.avg_ms::float8 AS avg_ms, coalesce(b.busy_ms, 0)::float8 AS busy_ms,
           (GREATEST(0, extract(epoch FROM ($2::timestamptz - GREATEST(a.created_at, $1::timestamptz))) * 1000)
             * a.max_concurrent_tasks)::float8 AS capacity_ms
      FROM agents a
      LEFT JOIN busy b ON b.agent_id = a.id
      LEFT JOIN finished f ON f.agent_id = a.id
     WHERE a.created_at <= $2
  )`;

/**
 * The SQL behind analytics: aggregates over tasks, agents, job records and the
 * API metrics, each bounded by the window (never a row per item in memory, except
 * the few top agents).
 */
@Injectable()
export class AnalyticsQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Created, finished and durations (percentile_cont) of the items finished in the window. */
  async workItems(source: WorkItemSource, window: TimeWindow): Promise<WorkItemSummaryRow> {
    const [row]: WorkItemSummaryRow[] = await this.dataSource.query(
      `WITH finished AS (
         SELECT status, extract(epoch FROM (completed_at - started_at)) * 1000 AS duration_ms
           FROM ${source.table}
          WHERE completed_at >= $1 AND completed_at <= $2 AND status IN ($3, $4, $5)
       )
       SELECT (SELECT count(*) FROM ${source.table} WHERE created_at >= $1 AND created_at <= $2)::int AS created,
              count(*) FILTER (WHERE status = $3)::int AS succeeded,
              count(*) FILTER (WHERE status = $4)::int AS failed,
              count(*) FILTER (WHERE status = $5)::int AS cancelled,
              count(duration_ms) FILTER (WHERE status = $3)::int AS timed,
              (avg(duration_ms) FILTER (WHERE status = $3))::float8 AS avg_ms,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = $3))::float8 AS p50_ms,
              (percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = $3))::float8 AS p95_ms,
              (min(duration_ms) FILTER (WHERE status = $3))::float8 AS min_ms,
              (max(duration_ms) FILTER (WHERE status = $3))::float8 AS max_ms
         FROM finished`,
      [window.since, window.until, source.succeeded, source.failed, source.cancelled],
    );
    return row;
  }

  /** Per bucket of the window: items created, and items finished by how they ended. */
  workItemBuckets(source: WorkItemSource, window: TimeWindow): Promise<WorkItemBucketRow[]> {
    return this.dataSource.query(
      `SELECT bucket::float8 AS bucket,
              count(*) FILTER (WHERE is_new)::int AS created,
              count(*) FILTER (WHERE status = $4)::int AS succeeded,
              count(*) FILTER (WHERE status = $5)::int AS failed,
              count(*) FILTER (WHERE status = $6)::int AS cancelled
         FROM (
           SELECT floor(extract(epoch FROM created_at) * 1000 / $3) * $3 AS bucket,
                  true AS is_new, NULL::text AS status
             FROM ${source.table} WHERE created_at >= $1 AND created_at <= $2
           UNION ALL
           SELECT floor(extract(epoch FROM completed_at) * 1000 / $3) * $3, false, status::text
             FROM ${source.table}
            WHERE completed_at >= $1 AND completed_at <= $2 AND status IN ($4, $5, $6)
         ) events
        GROUP BY bucket ORDER BY bucket`,
      [
        window.since,
        window.until,
        window.bucketMs,
        source.succeeded,
        source.failed,
        source.cancelled,
      ],
    );
  }

  async agentTotals(window: TimeWindow): Promise<AgentTotalsRow> {
    const [row]: AgentTotalsRow[] = await this.dataSource.query(
      `${AGENT_ACTIVITY}
       SELECT count(*)::int AS agents,
              count(*) FILTER (WHERE busy_ms > 0 OR completed + failed > 0)::int AS active,
              sum(busy_ms)::float8 AS busy_ms, sum(capacity_ms)::float8 AS capacity_ms
         FROM activity`,
      [window.since, window.until],
    );
    return row;
  }

  topAgents(window: TimeWindow, limit = TOP_AGENTS): Promise<AgentActivityRow[]> {
    return this.dataSource.query(
      `${AGENT_ACTIVITY}
       SELECT * FROM activity
        WHERE busy_ms > 0 OR completed + failed > 0
        ORDER BY completed DESC, busy_ms DESC, name, id
        LIMIT $3`,
      [window.since, window.until, limit],
    );
  }

  /** Jobs submitted over the API (internal ones left out) in the window. */
  async jobsSubmitted(window: TimeWindow): Promise<number> {
    const [row]: { submitted: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS submitted FROM background_tasks
        WHERE NOT internal AND created_at >= $1 AND created_at <= $2`,
      [window.since, window.until],
    );
    return row.submitted;
  }

  /** Jobs finished in the window per type, and all types together (task_name null). */
  jobsFinished(window: TimeWindow): Promise<JobTypeRow[]> {
    return this.dataSource.query(
      `SELECT task_name,
              count(*)::int AS finished,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
              (avg(extract(epoch FROM (completed_at - started_at)) * 1000)
                 FILTER (WHERE status = 'completed'))::float8 AS avg_ms
         FROM background_tasks
        WHERE NOT internal AND status IN ('completed', 'failed', 'cancelled')
          AND completed_at >= $1 AND completed_at <= $2
        GROUP BY GROUPING SETS ((task_name), ())`,
      [window.since, window.until],
    );
  }

  /** Tasks created and completed per hour of the day (UTC) in the window. */
  taskHours(window: TimeWindow): Promise<HourCountsRow[]> {
    return this.dataSource.query(
      `SELECT hour, count(*) FILTER (WHERE created)::int AS tasks_created,
              count(*) FILTER (WHERE NOT created)::int AS tasks_completed
         FROM (
           SELECT extract(hour FROM created_at AT TIME ZONE 'UTC')::int AS hour, true AS created
             FROM tasks WHERE created_at >= $1 AND created_at <= $2
           UNION ALL
           SELECT extract(hour FROM completed_at AT TIME ZONE 'UTC')::int, false
             FROM tasks WHERE status = 'completed' AND completed_at >= $1 AND completed_at <= $2
         ) events
        GROUP BY hour`,
      [window.since, window.until],
    );
  }
}
