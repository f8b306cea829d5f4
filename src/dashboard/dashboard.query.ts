import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface DailyTasks {
  date: string;
  completed: number;
  failed: number;
  agents_active: number;
  busy_hours: number;
}

export interface HealthBucket {
  start: Date;
  cpu: number | null;
  memory: number | null;
  connections: number | null;
}

export interface HistoryRow {
  kind:
    | 'task_created'
    | 'task_completed'
    | 'task_failed'
    | 'agent_assigned'
    | 'workflow_started'
    | 'workflow_completed';
  at: Date;
  task_id: string | null;
  title: string;
  agent: string | null;
  status: string;
  duration_ms: number | null;
  run_id: string | null;
  error: string | null;
}

/** The dashboard's aggregates, in SQL over the stored agents, tasks, runs and metric snapshots. */
@Injectable()
export class DashboardQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async countsByStatus(table: 'agents' | 'tasks'): Promise<Record<string, number>> {
    const rows: { status: string; count: number }[] = await this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM ${table} GROUP BY status`,
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  /** The newest collector snapshot younger than `maxAgeSeconds`, if any. */
  async freshSnapshot(
    maxAgeSeconds: number,
  ): Promise<{ cpu: number | null; memory: number | null; connections: number | null } | null> {
    const rows: { cpu: number | null; memory: number | null; connections: number | null }[] =
      await this.dataSource.query(
        `SELECT cpu_percent AS cpu, memory_percent AS memory, connections FROM system_metrics
       WHERE source = 'collector' AND recorded_at > now() - make_interval(secs => $1)
       ORDER BY recorded_at DESC LIMIT 1`,
        [maxAgeSeconds],
      );
    return rows[0] ?? null;
  }

  /** Per day of the range: tasks finished, failed, created; agents that worked; hours of agent work. */
  async dailyTasks(days: number): Promise<DailyTasks[]> {
    return this.dataSource.query(
      `WITH days AS (
         SELECT generate_series(date_trunc('day', now()) - make_interval(days => $1 - 1), date_trunc('day', now()), interval '1 day') AS day
       )
       SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
              count(t.id) FILTER (WHERE t.status = 'completed' AND t.completed_at >= d.day AND t.completed_at < d.day + interval '1 day')::int AS completed,
              count(t.id) FILTER (WHERE t.status = 'failed' AND t.completed_at >= d.day AND t.completed_at < d.day + interval '1 day')::int AS failed,
              count(DISTINCT t.assigned_agent_id) FILTER (
                WHERE t.started_at < d.day + interval '1 day' AND coalesce(t.completed_at, now()) >= d.day)::int AS agents_active,
              coalesce(sum(extract(epoch FROM least(coalesce(t.completed_at, now()), d.day + interval '1 day') - greatest(t.started_at, d.day)) / 3600)
                FILTER (WHERE t.started_at < d.day + interval '1 day' AND coalesce(t.completed_at, now()) >= d.day), 0)::float AS busy_hours
       FROM days d
       LEFT JOIN tasks t ON (t.created_at < d.day + interval '1 day' AND (t.completed_at IS NULL OR t.completed_at >= d.day))
       GROUP BY d.day ORDER BY d.day`,
      [days],
    );
  }

  /**
   * The range cut into `buckets` equal parts ending now: per part with any collector
   * snapshot, the mean of its snapshots (parts without any are left out), oldest first.
   */
  async healthBuckets(hours: number, buckets: number): Promise<HealthBucket[]> {
    return this.dataSource.query(
      `WITH span AS (SELECT now() - make_interval(hours => $1) AS since,
                            extract(epoch FROM make_interval(hours => $1)) / $2 AS width)
       SELECT since + make_interval(secs => b.bucket * width) AS start,
              b.cpu, b.memory, b.connections
         FROM span, LATERAL (
           SELECT least(floor(extract(epoch FROM recorded_at - since) / width), $2 - 1)::int AS bucket,
                  avg(cpu_percent)::float AS cpu, avg(memory_percent)::float AS memory,
                  round(avg(connections))::int AS connections
             FROM system_metrics
            WHERE source = 'collector' AND recorded_at > since
            GROUP BY 1) b
        ORDER BY b.bucket`,
      [hours, buckets],
    );
  }

  /** What happened in the range, newest first: tasks created, assigned, completed and failed; workflow runs started and ended. */
  async history(hours: number, limit: number): Promise<HistoryRow[]> {
    return this.dataSource.query(
      `SELECT * FROM (
         SELECT 'task_created' AS kind, t.created_at AS at, t.id AS task_id, t.title, a.name AS agent, t.status, NULL::float AS duration_ms, t.run_id, NULL AS error
           FROM tasks t LEFT JOIN agents a ON a.id = t.assigned_agent_id WHERE t.created_at >= $1
         UNION ALL
         SELECT 'agent_assigned', t.started_at, t.id, t.title, a.name, t.status, NULL::float, t.run_id, NULL
           FROM tasks t JOIN agents a ON a.id = t.assigned_agent_id WHERE t.started_at >= $1
         UNION ALL
         SELECT CASE WHEN t.status = 'completed' THEN 'task_completed' ELSE 'task_failed' END, t.completed_at, t.id, t.title, a.name, t.status,
                extract(epoch FROM t.completed_at - t.started_at) * 1000, t.run_id, t.error
           FROM tasks t LEFT JOIN agents a ON a.id = t.assigned_agent_id
          WHERE t.completed_at >= $1 AND t.status IN ('completed', 'failed')
         UNION ALL
         SELECT 'workflow_started', r.started_at, NULL::uuid, w.name, NULL, r.status, NULL::float, r.id, NULL
           FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id WHERE r.started_at >= $1
         UNION ALL
         SELECT 'workflow_completed', r.completed_at, NULL::uuid, w.name, NULL, r.status,
                extract(epoch FROM r.completed_at - r.started_at) * 1000, r.id, r.error
           FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
          WHERE r.completed_at >= $1 AND r.status IN ('completed', 'failed', 'cancelled')
       ) h ORDER BY at DESC LIMIT $2`,
      [new Date(Date.now() - hours * 3_600_000), limit],
    );
  }
}
