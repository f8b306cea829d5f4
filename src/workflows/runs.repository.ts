import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { RunSortField } from './dto/run.dto.js';
import { WorkflowRunStepEntity } from './entities/workflow-run-step.entity.js';
import { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { FINISHED_RUN_STATUSES, type RunStatus } from './run-state.js';
import type { SortOrder } from '../common/pagination/page.js';
import { analyzeIfOutgrown } from '../database/statistics.js';

const SORT_COLUMNS: Record<RunSortField, string> = {
  created_at: 'run.createdAt',
  started_at: 'run.startedAt',
  completed_at: 'run.completedAt',
  status: 'run.status',
  run_number: 'run.runNumber',
};

/** What `insertSteps` writes of a run's step. */
export type NewStepRow = Pick<
  WorkflowRunStepEntity,
  | 'runId'
  | 'stepKey'
  | 'taskId'
  | 'name'
  | 'position'
  | 'dependsOn'
  | 'agentId'
  | 'agentType'
  | 'requiredCapabilities'
  | 'timeoutSeconds'
  | 'maxRetries'
  | 'maxAttempts'
>;

/** Runs' listing, numbering, step rows written (and their statistics), the SubForge import's lookups and retention. */
@Injectable()
export class RunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findImported(
    manager: EntityManager,
    workflowId: string,
    externalId: string,
  ): Promise<WorkflowRunEntity | null> {
    return manager.findOne(WorkflowRunEntity, {
      where: { workflowId, externalId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async list(
    workflowId: string,
    filters: { status?: RunStatus },
    page: { skip: number; limit: number; sortBy: RunSortField; sortOrder: SortOrder },
  ): Promise<[WorkflowRunEntity[], number]> {
    const query = this.dataSource.manager
      .createQueryBuilder(WorkflowRunEntity, 'run')
      .where('run.workflowId = :workflowId', { workflowId });
    if (filters.status) query.andWhere('run.status = :status', { status: filters.status });
    return query
      .orderBy(SORT_COLUMNS[page.sortBy], page.sortOrder === 'asc' ? 'ASC' : 'DESC', 'NULLS LAST')
      .addOrderBy('run.id', 'ASC')
      .skip(page.skip)
      .take(page.limit)
      .getManyAndCount();
  }

  /** The next run number of a workflow; the caller holds the workflow's row. */
  async nextRunNumber(manager: EntityManager, workflowId: string): Promise<number> {
    const rows: { next: number }[] = await manager.query(
      'SELECT COALESCE(max(run_number), 0)::int + 1 AS next FROM workflow_runs WHERE workflow_id = $1',
      [workflowId],
    );
    return rows[0].next;
  }

  /**
   * Stamps a run created to start at once as started, by the database's clock (as the
   * scheduler stamps a scheduled run): the caller does it once the run's rows are written.
   * Answers the stamp, which is also the run's update time.
   */
  async markStarted(manager: EntityManager, runId: string): Promise<Date> {
    // An UPDATE answers [rows, count].
    const [[row]]: [{ at: Date }[], number] = await manager.query(
      `UPDATE workflow_runs r SET started_at = c.at, updated_at = c.at
         FROM (SELECT clock_timestamp() AS at) c WHERE r.id = $1 RETURNING c.at`,
      [runId],
    );
    return row.at;
  }

  /** A run's steps, in one statement with one parameter (a run may have 2,000). */
  async insertSteps(manager: EntityManager, steps: NewStepRow[]): Promise<void> {
    if (!steps.length) return;
    await manager.query(
      `INSERT INTO workflow_run_steps (run_id, step_key, task_id, name, position, depends_on,
                                       agent_id, agent_type, required_capabilities,
                                       timeout_seconds, max_retries, max_attempts)
       SELECT "runId", "stepKey", "taskId", name, position, "dependsOn",
              "agentId", "agentType", "requiredCapabilities",
              "timeoutSeconds", "maxRetries", "maxAttempts"
         FROM jsonb_to_recordset($1::jsonb) AS s(
              "runId" uuid, "stepKey" varchar, "taskId" uuid, name varchar, position integer,
              "dependsOn" text[], "agentId" uuid, "agentType" varchar,
              "requiredCapabilities" text[], "timeoutSeconds" integer, "maxRetries" integer,
              "maxAttempts" integer)`,
      [JSON.stringify(steps)],
    );
  }

  /** After a run's steps were added at once: the planner's statistics, if they are stale. */
  refreshStatistics(steps: number): Promise<void> {
    return analyzeIfOutgrown(this.dataSource, 'workflow_run_steps', steps);
  }

  /** Raises the attempt ceiling of steps (a run retry gives them their retries again). */
  async raiseAttemptCeiling(
    manager: EntityManager,
    runId: string,
    ceilings: { key: string; maxAttempts: number }[],
  ): Promise<void> {
    if (!ceilings.length) return;
    await manager.query(
      `UPDATE workflow_run_steps s SET max_attempts = c.max_attempts
         FROM unnest($2::text[], $3::int[]) AS c(step_key, max_attempts)
        WHERE s.run_id = $1 AND s.step_key = c.step_key`,
      [runId, ceilings.map((c) => c.key), ceilings.map((c) => c.maxAttempts)],
    );
  }

  async countUnfinished(manager: EntityManager, workflowId: string): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM workflow_runs
        WHERE workflow_id = $1 AND status IN ('scheduled', 'running', 'paused')`,
      [workflowId],
    );
    return rows[0].n;
  }

  async unfinishedOf(workflowId: string): Promise<WorkflowRunEntity[]> {
    return this.dataSource.manager
      .createQueryBuilder(WorkflowRunEntity, 'run')
      .where('run.workflowId = :workflowId', { workflowId })
      .andWhere("run.status IN ('scheduled', 'running', 'paused')")
      .orderBy('run.createdAt')
      .getMany();
  }

  /** Retention: finished runs (with their steps and dispatch log) finished over `days` ago. */
  async deleteFinishedOlderThan(
    days: number,
    limit: number,
    manager: EntityManager,
  ): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `WITH gone AS (
         DELETE FROM workflow_runs WHERE id IN (
           SELECT id FROM workflow_runs
            WHERE status = ANY($1::text[]) AND completed_at < now() - make_interval(days => $2)
            LIMIT $3)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [FINISHED_RUN_STATUSES, days, limit],
    );
    return rows[0].n;
  }
}
