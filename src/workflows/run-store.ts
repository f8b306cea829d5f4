import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { TaskStatus } from '../tasks/task-state.js';
import { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import type { WaitingReason } from './waiting-reason.js';

/** A step of a run joined with the state of its task and its current dispatch. */
export interface StepRow {
  runId: string;
  key: string;
  name: string;
  position: number;
  dependsOn: string[];
  taskId: string;
  routeAgentId: string | null;
  agentType: string | null;
  requiredCapabilities: string[];
  timeoutSeconds: number;
  maxRetries: number;
  maxAttempts: number;
  status: TaskStatus;
  attempt: number;
  assignedAgentId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  error: string | null;
  retryable: boolean | null;
  qualityScore: number | null;
  taskType: string | null;
  result: Record<string, unknown> | null;
  dispatchedAt: Date | null;
  waitingReason: WaitingReason | null;
  waitingDetail: string | null;
}

/** Where a page of runs needing attention ended: the last run's start (as text, exact) and id. */
export interface AttentionCursor {
  at: string;
  id: string;
}

export interface AttentionPage {
  ids: string[];
  next?: AttentionCursor;
}

interface StepSqlRow {
  run_id: string;
  step_key: string;
  name: string;
  position: number;
  depends_on: string[];
  task_id: string;
  agent_id: string | null;
  agent_type: string | null;
  required_capabilities: string[];
  timeout_seconds: number;
  max_retries: number;
  max_attempts: number;
  status: TaskStatus;
  attempt: number;
  assigned_agent_id: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  error: string | null;
  retryable: boolean | null;
  quality_score: number | null;
  task_type: string | null;
  result: Record<string, unknown> | null;
  dispatched_at: Date | null;
  waiting_reason: WaitingReason | null;
  waiting_detail: string | null;
}

/** A run and the task state of each of its steps. */
export interface RunWithStepStatuses {
  run: WorkflowRunEntity;
  statuses: TaskStatus[];
}

/**
 * The state of runs and their steps, as run control and the workflow engine
 * (`src/orchestration/`) read and move it: a run's row, read or held; its steps joined
 * with their tasks' states; and the engine's statements over them (scheduled runs due,
 * unfinished steps to cancel, runs that need a look). The engine uses runs through this
 * class alone, never through workflows' entities or repositories.
 */
@Injectable()
export class RunStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findById(id: string, manager?: EntityManager): Promise<WorkflowRunEntity | null> {
    return this.m(manager).findOne(WorkflowRunEntity, { where: { id } });
  }

  /** The run with the task state of every step (as `stepStatuses`), in one statement. */
  async findWithStepStatuses(id: string): Promise<RunWithStepStatuses | null> {
    const { entities, raw } = await this.dataSource.manager
      .createQueryBuilder(WorkflowRunEntity, 'run')
      .addSelect(
        `(SELECT COALESCE(json_agg(json_build_array(c.status, c.n)), '[]') FROM (
            SELECT t.status, count(*)::int AS n FROM workflow_run_steps s
              JOIN tasks t ON t.id = s.task_id WHERE s.run_id = run.id GROUP BY t.status) c)`,
        'step_counts',
      )
      .where('run.id = :id', { id })
      .getRawAndEntities<{ step_counts: [TaskStatus, number][] }>();
    if (!entities.length) return null;
    return {
      run: entities[0],
      statuses: raw[0].step_counts.flatMap(([status, n]) => repeat(status, n)),
    };
  }

  /** Reads the run and holds its row: status changes of one run happen one at a time. */
  lock(manager: EntityManager, id: string): Promise<WorkflowRunEntity | null> {
    return manager.findOne(WorkflowRunEntity, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async findByIds(ids: string[]): Promise<WorkflowRunEntity[]> {
    if (!ids.length) return [];
    return this.dataSource.manager
      .createQueryBuilder(WorkflowRunEntity, 'run')
      .where('run.id = ANY(:ids)', { ids })
      .getMany();
  }

  /** The steps of the runs with their tasks' states, in topological order. */
  async steps(runIds: string[], manager?: EntityManager): Promise<Map<string, StepRow[]>> {
    const byRun = new Map<string, StepRow[]>(runIds.map((id) => [id, []]));
    if (!runIds.length) return byRun;
    const rows: StepSqlRow[] = await this.m(manager).query(
      `SELECT s.run_id, s.step_key, s.name, s.position, s.depends_on, s.task_id, s.agent_id,
              s.agent_type, s.required_capabilities, s.timeout_seconds, s.max_retries, s.max_attempts,
              t.status, t.attempt, t.assigned_agent_id, t.started_at, t.completed_at, t.error,
              t.retryable, t.quality_score, t.task_type, t.result, d.dispatched_at,
              s.waiting_reason, s.waiting_detail
         FROM workflow_run_steps s
         JOIN tasks t ON t.id = s.task_id
         LEFT JOIN workflow_step_dispatches d ON d.task_id = t.id AND d.attempt = t.attempt
        WHERE s.run_id = ANY($1::uuid[])
        ORDER BY s.run_id, s.position`,
      [runIds],
    );
    for (const row of rows) byRun.get(row.run_id)!.push(toStepRow(row));
    return byRun;
  }

  /** The task state of every step of the runs (counters without the rest of the steps). */
  async stepStatuses(runIds: string[]): Promise<Map<string, TaskStatus[]>> {
    const statuses = new Map<string, TaskStatus[]>(runIds.map((id) => [id, []]));
    if (!runIds.length) return statuses;
    const rows: { run_id: string; status: TaskStatus; n: number }[] = await this.dataSource.query(
      `SELECT s.run_id, t.status, count(*)::int AS n
         FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
        WHERE s.run_id = ANY($1::uuid[]) GROUP BY s.run_id, t.status`,
      [runIds],
    );
    for (const row of rows) statuses.get(row.run_id)!.push(...repeat(row.status, row.n));
    return statuses;
  }

  async stepsOf(runId: string, manager?: EntityManager): Promise<StepRow[]> {
    return (await this.steps([runId], manager)).get(runId)!;
  }

  /**
   * Locks the run's unfinished tasks that no one else holds, dependents first (so
   * that cancelling them announces no needless blocking). Held ones are left for a
   * later pass: a writer holding one is about to finish its own change.
   */
  async claimUnfinishedTasks(
    manager: EntityManager,
    runId: string,
    stepKeys: string[] | null,
  ): Promise<string[]> {
    const rows: { task_id: string }[] = await manager.query(
      `SELECT s.task_id FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
        WHERE s.run_id = $1 AND t.status IN ('pending', 'blocked', 'in_progress')
          AND ($2::text[] IS NULL OR s.step_key = ANY($2::text[]))
        ORDER BY s.position DESC
        FOR UPDATE OF t SKIP LOCKED`,
      [runId, stepKeys],
    );
    return rows.map((row) => row.task_id);
  }

  /** Starts scheduled runs whose time has come (one winner per run, whoever asks). */
  async startDue(manager: EntityManager, runId?: string): Promise<WorkflowRunEntity[]> {
    // A CTE, so that the driver returns the rows (a bare UPDATE answers [rows, count]).
    const rows: { id: string }[] = await manager.query(
      `WITH started AS (
         UPDATE workflow_runs SET status = 'running', started_at = now(), updated_at = now()
          WHERE status = 'scheduled' AND source = 'api' AND scheduled_at <= now()
            ${runId ? 'AND id = $1' : ''}
          RETURNING id)
       SELECT id FROM started`,
      runId ? [runId] : [],
    );
    if (!rows.length) return [];
    return manager
      .createQueryBuilder(WorkflowRunEntity, 'run')
      .where('run.id = ANY(:ids)', { ids: rows.map((row) => row.id) })
      .getMany();
  }

  /**
   * Orchestrated runs that need a look: running ones with a ready step, a failed or
   * cancelled step, or nothing left open; paused ones with nothing left open; and
   * finished ones that still have an unfinished step (a cancel that was held off).
   * A page of `limit`, oldest first, after `after`; `next` continues it (unset after
   * the last page), so that runs that cannot move yet never keep the later ones out.
   */
  async needingAttention(limit: number, after?: AttentionCursor): Promise<AttentionPage> {
    const rows: { id: string; at: string }[] = await this.dataSource.query(
      `SELECT r.id, COALESCE(r.started_at, 'infinity')::text AS at FROM workflow_runs r
        WHERE r.source = 'api'
          AND ($2::timestamptz IS NULL OR (COALESCE(r.started_at, 'infinity'), r.id) > ($2::timestamptz, $3::uuid))
          AND (
          (r.status = 'running' AND EXISTS (
             SELECT 1 FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
              WHERE s.run_id = r.id AND (t.status IN ('failed', 'cancelled') OR (t.status = 'pending'
                AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
                                 WHERE d.task_id = t.id AND dep.status <> 'completed')))))
          OR (r.status IN ('running', 'paused') AND NOT EXISTS (
             SELECT 1 FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
              WHERE s.run_id = r.id AND t.status IN ('pending', 'blocked', 'in_progress')))
          OR (r.status IN ('failed', 'cancelled') AND EXISTS (
             SELECT 1 FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
              WHERE s.run_id = r.id AND t.status IN ('pending', 'blocked', 'in_progress'))))
        ORDER BY COALESCE(r.started_at, 'infinity'), r.id
        LIMIT $1`,
      [limit, after?.at ?? null, after?.id ?? null],
    );
    const last = rows[rows.length - 1];
    return {
      ids: rows.map((row) => row.id),
      next: rows.length === limit ? { at: last.at, id: last.id } : undefined,
    };
  }
}

function toStepRow(row: StepSqlRow): StepRow {
  return {
    runId: row.run_id,
    key: row.step_key,
    name: row.name,
    position: row.position,
    dependsOn: row.depends_on,
    taskId: row.task_id,
    routeAgentId: row.agent_id,
    agentType: row.agent_type,
    requiredCapabilities: row.required_capabilities,
    timeoutSeconds: row.timeout_seconds,
    maxRetries: row.max_retries,
    maxAttempts: row.max_attempts,
    status: row.status,
    attempt: row.attempt,
    assignedAgentId: row.assigned_agent_id,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    error: row.error,
    retryable: row.retryable,
    qualityScore: row.quality_score,
    taskType: row.task_type,
    result: row.result,
    dispatchedAt: row.dispatched_at,
    waitingReason: row.waiting_reason,
    waitingDetail: row.waiting_detail,
  };
}

function repeat(status: TaskStatus, times: number): TaskStatus[] {
  return Array.from({ length: times }, () => status);
}
