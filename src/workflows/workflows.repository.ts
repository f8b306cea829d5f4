import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { DERIVED_WORKFLOW_STATUS as DERIVED_STATUS, likePattern } from '../database/sql.js';
import type { SortOrder } from '../common/pagination/page.js';
import type { WorkflowFilters, WorkflowSortField, WorkflowStatus } from './dto/workflow.dto.js';
import { WorkflowEntity } from './entities/workflow.entity.js';
import { countSteps, type RunStatus } from './run-state.js';
import { NO_FIGURES, NO_RUNS, type WorkflowFigures } from './workflow.mapper.js';
import { RunStore } from './run-store.js';

export interface WorkflowPage {
  skip: number;
  limit: number;
  sortBy: WorkflowSortField;
  sortOrder: SortOrder;
}

const SORT_COLUMNS: Record<Exclude<WorkflowSortField, 'status'>, string> = {
  name: 'workflow.name',
  created_at: 'workflow.createdAt',
  updated_at: 'workflow.updatedAt',
};

/** Every query on workflow definitions and the figures their runs give them. */
@Injectable()
export class WorkflowsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runs: RunStore,
  ) {}

  async list(filters: WorkflowFilters, page: WorkflowPage): Promise<[WorkflowEntity[], number]> {
    return this.ordered(filters, page).getManyAndCount();
  }

  /** A page without the total (v1 answers a bare array). */
  rows(filters: WorkflowFilters, page: WorkflowPage): Promise<WorkflowEntity[]> {
    return this.ordered(filters, page).getMany();
  }

  private ordered(
    filters: WorkflowFilters,
    page: WorkflowPage,
  ): SelectQueryBuilder<WorkflowEntity> {
    const query = this.filtered(filters);
    const order = page.sortOrder === 'asc' ? 'ASC' : 'DESC';
    if (page.sortBy === 'status')
      query.addSelect(DERIVED_STATUS, 'derived_status').orderBy('derived_status', order);
    else query.orderBy(SORT_COLUMNS[page.sortBy], order, 'NULLS LAST');
    return query.addOrderBy('workflow.id', 'ASC').skip(page.skip).take(page.limit);
  }

  private filtered(filters: WorkflowFilters): SelectQueryBuilder<WorkflowEntity> {
    const query = this.dataSource.manager.createQueryBuilder(WorkflowEntity, 'workflow');
    if (filters.status) query.andWhere(`${DERIVED_STATUS} = :status`, { status: filters.status });
    if (filters.workflow_type)
      query.andWhere('workflow.workflowType = :type', { type: filters.workflow_type });
    if (filters.project_id)
      query.andWhere('workflow.projectId = :projectId', { projectId: filters.project_id });
    if (filters.is_template !== undefined)
      query.andWhere('workflow.isTemplate = :isTemplate', { isTemplate: filters.is_template });
    if (filters.tags?.length)
      query.andWhere('workflow.tags && CAST(:tags AS text[])', { tags: filters.tags });
    if (filters.search)
      query.andWhere(
        "(workflow.name ILIKE :search ESCAPE '\\' OR workflow.description ILIKE :search ESCAPE '\\')",
        { search: likePattern(filters.search) },
      );
    return query;
  }

  findById(id: string, manager?: EntityManager): Promise<WorkflowEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(WorkflowEntity, { where: { id } });
  }

  /** Reads the workflow and holds its row (runs are numbered under it). */
  lock(manager: EntityManager, id: string): Promise<WorkflowEntity | null> {
    return manager.findOne(WorkflowEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Names of existing agents among `ids`. */
  async agentNames(ids: string[], manager?: EntityManager): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows: { id: string; name: string }[] = await (manager ?? this.dataSource).query(
      'SELECT id, name FROM agents WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** Every stored and derived figure of several workflows, a handful of queries for all of them. */
  async figures(ids: string[]): Promise<Map<string, WorkflowFigures>> {
    const figures = new Map<string, WorkflowFigures>(
      ids.map((id) => [id, { ...NO_FIGURES, runs: { ...NO_RUNS } }]),
    );
    if (!ids.length) return figures;
    const [counts, latest, durations, scheduled, quality] = await Promise.all([
      this.dataSource.query<{ workflow_id: string; status: RunStatus; n: number }[]>(
        `SELECT workflow_id, status, count(*)::int AS n FROM workflow_runs
          WHERE workflow_id = ANY($1::uuid[]) GROUP BY workflow_id, status`,
        [ids],
      ),
      this.dataSource.query<
        {
          id: string;
          workflow_id: string;
          run_number: number;
          status: RunStatus;
          started_at: Date | null;
          completed_at: Date | null;
        }[]
      >(
        `SELECT DISTINCT ON (workflow_id) id, workflow_id, run_number, status, started_at, completed_at
           FROM workflow_runs WHERE workflow_id = ANY($1::uuid[])
          ORDER BY workflow_id, run_number DESC`,
        [ids],
      ),
      this.dataSource.query<{ workflow_id: string; ms: number }[]>(
        `SELECT DISTINCT ON (workflow_id) workflow_id,
                (extract(epoch FROM completed_at - started_at) * 1000)::float8 AS ms
           FROM workflow_runs
          WHERE workflow_id = ANY($1::uuid[]) AND completed_at IS NOT NULL AND started_at IS NOT NULL
          ORDER BY workflow_id, completed_at DESC`,
        [ids],
      ),
      this.dataSource.query<{ workflow_id: string; at: Date }[]>(
        `SELECT workflow_id, min(scheduled_at) AS at FROM workflow_runs
          WHERE workflow_id = ANY($1::uuid[]) AND status = 'scheduled' GROUP BY workflow_id`,
        [ids],
      ),
      this.dataSource.query<{ workflow_id: string; q: number }[]>(
        `SELECT workflow_id, avg(quality_score)::float8 AS q FROM tasks
          WHERE workflow_id = ANY($1::uuid[]) AND run_id IS NOT NULL AND quality_score IS NOT NULL
          GROUP BY workflow_id`,
        [ids],
      ),
    ]);
    for (const row of counts) {
      const runs = figures.get(row.workflow_id)!.runs;
      runs[row.status] = row.n;
      runs.total += row.n;
    }
    const statuses = await this.runs.stepStatuses(latest.map((row) => row.id));
    for (const row of latest)
      figures.get(row.workflow_id)!.latest = {
        id: row.id,
        runNumber: row.run_number,
        status: row.status,
        startedAt: row.started_at,
        completedAt: row.completed_at,
        counters: countSteps(statuses.get(row.id) ?? []),
      };
    for (const row of durations) figures.get(row.workflow_id)!.lastDurationMs = row.ms;
    for (const row of scheduled) figures.get(row.workflow_id)!.nextScheduledAt = row.at;
    for (const row of quality) figures.get(row.workflow_id)!.avgQualityScore = row.q;
    return figures;
  }

  /** Every workflow's shown status and template flag (v1 summary). */
  async derivedStatuses(): Promise<{ id: string; status: WorkflowStatus; is_template: boolean }[]> {
    return this.dataSource.query(
      `SELECT workflow.id, ${DERIVED_STATUS} AS status, workflow.is_template FROM workflows workflow`,
    );
  }
}
