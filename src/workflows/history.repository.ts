import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PeriodType } from './dto/history.dto.js';
import { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { FINISHED_RUN_STATUSES, type RunStatus } from './run-state.js';

export interface Window {
  start: Date | null;
  end: Date | null;
}

export interface AgentPeriodRow {
  agent_id: string;
  agent_name: string | null;
  agent_type: string | null;
  period_start: Date;
  runs_total: number;
  runs_completed: number;
  runs_failed: number;
  steps_total: number;
  steps_completed: number;
  steps_failed: number;
  active_seconds: number;
  quality: number | null;
  timeouts: number;
}

export interface SummaryRow {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  avg_seconds: number | null;
  steps_total: number;
  steps_completed: number;
  quality: number | null;
}

/** SQL of when a run counts as having happened: its start, or its creation if it never started. */
const HAPPENED = 'COALESCE(run.started_at, run.created_at)';

/** The run history queries (v1 `/history`), computed from runs, their steps' tasks and the dispatch log. */
@Injectable()
export class HistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async runs(
    filters: { projectId?: string; status?: RunStatus; window: Window },
    limit: number,
    offset: number,
  ): Promise<[WorkflowRunEntity[], number]> {
    const query = this.dataSource.manager
      .createQueryBuilder(WorkflowRunEntity, 'run')
      .innerJoinAndSelect('run.workflow', 'workflow');
    if (filters.projectId)
      query.andWhere('workflow.projectId = :projectId', { projectId: filters.projectId });
    if (filters.status) query.andWhere('run.status = :status', { status: filters.status });
    if (filters.window.start)
      query.andWhere(`${HAPPENED} >= :start`, { start: filters.window.start });
    if (filters.window.end) query.andWhere(`${HAPPENED} <= :end`, { end: filters.window.end });
    // The join is many-to-one (no row multiplication), so plain LIMIT/OFFSET pages correctly.
    return query
      .orderBy(HAPPENED, 'DESC')
      .addOrderBy('run.id', 'ASC')
      .offset(offset)
      .limit(limit)
      .getManyAndCount();
  }

  findRun(id: string): Promise<WorkflowRunEntity | null> {
    return this.dataSource.manager.findOne(WorkflowRunEntity, {
      where: { id },
      relations: { workflow: true },
    });
  }

  /** Per agent and period: runs, steps and their outcomes, active time, quality, timeouts. */
  async agentPeriods(
    filters: { agentId?: string; period: PeriodType; window: Window },
    limit: number,
  ): Promise<AgentPeriodRow[]> {
    return this.dataSource.query(
      `WITH finished AS (
         SELECT t.assigned_agent_id AS agent_id, date_trunc($1, t.completed_at) AS period_start,
                t.status, t.run_id, t.quality_score,
                extract(epoch FROM t.completed_at - t.started_at)::float8 AS seconds
           FROM tasks t JOIN workflow_run_steps s ON s.task_id = t.id
          WHERE t.assigned_agent_id IS NOT NULL AND t.status IN ('completed', 'failed')
            AND t.completed_at IS NOT NULL
            AND ($2::uuid IS NULL OR t.assigned_agent_id = $2)
            AND ($3::timestamptz IS NULL OR t.completed_at >= $3)
            AND ($4::timestamptz IS NULL OR t.completed_at <= $4)
       ), timeouts AS (
         SELECT d.agent_id, date_trunc($1, d.deadline_at) AS period_start, count(*)::int AS n
           FROM workflow_step_dispatches d
          WHERE d.outcome = 'timed_out' AND ($2::uuid IS NULL OR d.agent_id = $2)
            AND ($3::timestamptz IS NULL OR d.deadline_at >= $3)
            AND ($4::timestamptz IS NULL OR d.deadline_at <= $4)
          GROUP BY 1, 2
       )
       SELECT f.agent_id, a.name AS agent_name, a.agent_type, f.period_start,
              count(DISTINCT f.run_id)::int AS runs_total,
              count(DISTINCT f.run_id) FILTER (WHERE r.status = 'completed')::int AS runs_completed,
              count(DISTINCT f.run_id) FILTER (WHERE r.status = 'failed')::int AS runs_failed,
              count(*)::int AS steps_total,
              count(*) FILTER (WHERE f.status = 'completed')::int AS steps_completed,
              count(*) FILTER (WHERE f.status = 'failed')::int AS steps_failed,
              COALESCE(sum(f.seconds), 0)::float8 AS active_seconds,
              avg(f.quality_score)::float8 AS quality,
              COALESCE(max(x.n), 0)::int AS timeouts
         FROM finished f
         JOIN workflow_runs r ON r.id = f.run_id
         LEFT JOIN agents a ON a.id = f.agent_id
         LEFT JOIN timeouts x ON x.agent_id = f.agent_id AND x.period_start = f.period_start
        GROUP BY f.agent_id, a.name, a.agent_type, f.period_start
        ORDER BY f.period_start DESC, f.agent_id
        LIMIT $5`,
      [filters.period, filters.agentId ?? null, filters.window.start, filters.window.end, limit],
    );
  }

  async summary(window: Window): Promise<SummaryRow> {
    const rows: SummaryRow[] = await this.dataSource.query(
      `WITH scope AS (
         SELECT run.id, run.status, run.started_at, run.completed_at FROM workflow_runs run
          WHERE ($1::timestamptz IS NULL OR ${HAPPENED} >= $1)
            AND ($2::timestamptz IS NULL OR ${HAPPENED} <= $2)
       )
       SELECT (SELECT count(*)::int FROM scope) AS total,
              (SELECT count(*)::int FROM scope WHERE status = 'completed') AS completed,
              (SELECT count(*)::int FROM scope WHERE status = 'failed') AS failed,
              (SELECT count(*)::int FROM scope WHERE status = 'cancelled') AS cancelled,
              (SELECT avg(extract(epoch FROM completed_at - started_at))::float8 FROM scope
                WHERE status = ANY($3::text[]) AND started_at IS NOT NULL AND completed_at IS NOT NULL) AS avg_seconds,
              (SELECT count(*)::int FROM workflow_run_steps s WHERE s.run_id IN (SELECT id FROM scope)) AS steps_total,
              (SELECT count(*)::int FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
                WHERE s.run_id IN (SELECT id FROM scope) AND t.status = 'completed') AS steps_completed,
              (SELECT avg(t.quality_score)::float8 FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
                WHERE s.run_id IN (SELECT id FROM scope)) AS quality`,
      [window.start, window.end, FINISHED_RUN_STATUSES],
    );
    return rows[0];
  }

  /** The raw figures of GET /workflows/statistics, one round trip per group. */
  async statistics() {
    const [byStatus, runs, steps, dispatch] = await Promise.all([
      this.dataSource.query<{ status: string; source: string; n: number }[]>(
        `SELECT run.status, run.source, count(*)::int AS n FROM workflow_runs run GROUP BY 1, 2`,
      ),
      this.dataSource.query<
        {
          avg: number | null;
          p50: number | null;
          p95: number | null;
          started_24h: number;
          completed_24h: number;
          failed_24h: number;
        }[]
      >(
        `SELECT avg(ms)::float8 AS avg,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::float8 AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::float8 AS p95,
                (SELECT count(*)::int FROM workflow_runs WHERE started_at > now() - interval '24 hours') AS started_24h,
                (SELECT count(*)::int FROM workflow_runs WHERE status = 'completed' AND completed_at > now() - interval '24 hours') AS completed_24h,
                (SELECT count(*)::int FROM workflow_runs WHERE status = 'failed' AND completed_at > now() - interval '24 hours') AS failed_24h
           FROM (SELECT extract(epoch FROM completed_at - started_at) * 1000 AS ms FROM workflow_runs
                  WHERE status = ANY($1::text[]) AND started_at IS NOT NULL AND completed_at IS NOT NULL) finished`,
        [FINISHED_RUN_STATUSES],
      ),
      this.dataSource.query<
        {
          status: string | null;
          n: number;
          retried: number;
          avg: number | null;
          p50: number | null;
          p95: number | null;
        }[]
      >(
        `SELECT t.status, count(*)::int AS n, count(*) FILTER (WHERE t.attempt > 1)::int AS retried,
                avg(extract(epoch FROM t.completed_at - t.started_at) * 1000) FILTER (WHERE t.status = 'completed')::float8 AS avg,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.completed_at - t.started_at) * 1000)
                  FILTER (WHERE t.status = 'completed')::float8 AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM t.completed_at - t.started_at) * 1000)
                  FILTER (WHERE t.status = 'completed')::float8 AS p95
           FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
          GROUP BY ROLLUP (t.status)`,
      ),
      this.dataSource.query<
        {
          dispatches: number;
          timed_out: number;
          avg: number | null;
          p50: number | null;
          p95: number | null;
        }[]
      >(
        `SELECT (SELECT count(*)::int FROM workflow_step_dispatches) AS dispatches,
                (SELECT count(*)::int FROM workflow_step_dispatches WHERE outcome = 'timed_out') AS timed_out,
                avg(ms)::float8 AS avg,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::float8 AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::float8 AS p95
           FROM (SELECT extract(epoch FROM d.dispatched_at - GREATEST(r.started_at,
                          (SELECT max(dep.completed_at) FROM task_dependencies e
                             JOIN tasks dep ON dep.id = e.depends_on_id WHERE e.task_id = d.task_id))) * 1000 AS ms
                   FROM workflow_step_dispatches d JOIN workflow_runs r ON r.id = d.run_id
                  WHERE d.attempt = 1) latency`,
      ),
    ]);
    return { byStatus, runs: runs[0], steps, dispatch: dispatch[0] };
  }

  /**
   * Deletes finished runs that started before the cutoff, with their steps and
   * dispatch log; returns what went, counted in the same transaction.
   */
  async deleteFinishedStartedBefore(
    cutoff: Date,
  ): Promise<{ runs: number; steps: number; dispatches: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { runs: number; steps: number; dispatches: number }[] = await manager.query(
        `WITH doomed AS (
           SELECT id FROM workflow_runs
            WHERE status = ANY($1::text[]) AND COALESCE(started_at, created_at) < $2
            FOR UPDATE
         ), runs AS (
           -- Steps and the dispatch log go with their run (ON DELETE CASCADE).
           DELETE FROM workflow_runs WHERE id IN (SELECT id FROM doomed) RETURNING 1
         )
         SELECT (SELECT count(*)::int FROM runs) AS runs,
                (SELECT count(*)::int FROM workflow_run_steps
                  WHERE run_id IN (SELECT id FROM doomed)) AS steps,
                (SELECT count(*)::int FROM workflow_step_dispatches
                  WHERE run_id IN (SELECT id FROM doomed)) AS dispatches`,
        [FINISHED_RUN_STATUSES, cutoff],
      );
      return rows[0];
    });
  }
}
