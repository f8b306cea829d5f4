import { Injectable } from '@nestjs/common';
import { CacheVersions } from '../common/cache/cache-versions.service.js';
import { BadRequestError, NotFoundError } from '../common/errors/app-errors.js';
import { iso } from '../common/time.js';
import type {
  AgentPerformanceListDto,
  AgentPerformanceQuery,
  AnalyticsSummaryDto,
  HistoryCleanupDto,
  HistoryRunDetailDto,
  HistoryRunsDto,
  HistoryRunsQuery,
  HistoryWindowQuery,
} from './dto/history.dto.js';
import { HistoryRepository, type Window } from './history.repository.js';
import { toAgentPerformance, toHandoffs, toHistoryPhase, toHistoryRun } from './history.mapper.js';
import { RunStore } from './run-store.js';
import { WorkflowsRepository } from './workflows.repository.js';

const DAY_MS = 86_400_000;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** The original's windows: with only one bound given, the other is `days` away from it (or now). */
export function windowOf(query: HistoryWindowQuery, days: number, now = new Date()): Window {
  const start = query.start_date ? new Date(query.start_date) : null;
  const end = query.end_date ? new Date(query.end_date) : null;
  if (start && end && start > end)
    throw new BadRequestError('The window ends before it starts', [
      { field: 'start_date', message: 'must not be after end_date' },
      { field: 'end_date', message: 'must not be before start_date' },
    ]);
  if (start && !end) return { start, end: now };
  if (end && !start) return { start: new Date(end.getTime() - days * DAY_MS), end };
  return { start, end };
}

/** v1 `/history`: runs as workflow history, agents' performance and a summary, all from stored runs. */
@Injectable()
export class WorkflowHistoryService {
  constructor(
    private readonly history: HistoryRepository,
    private readonly runs: RunStore,
    private readonly workflows: WorkflowsRepository,
    private readonly cache: CacheVersions,
  ) {}

  async list(query: HistoryRunsQuery): Promise<HistoryRunsDto> {
    const [runs, total] = await this.history.runs(
      { projectId: query.project_id, status: query.status_filter, window: windowOf(query, 30) },
      query.limit,
      query.offset,
    );
    const steps = await this.runs.steps(runs.map((run) => run.id));
    const names = await this.agentNames([...steps.values()].flat());
    return {
      workflows: runs.map((run) => toHistoryRun(run, run.workflow!, steps.get(run.id)!, names)),
      pagination: {
        limit: query.limit,
        offset: query.offset,
        total,
        has_more: query.offset + query.limit < total,
      },
    };
  }

  async detail(runId: string): Promise<HistoryRunDetailDto> {
    const run = await this.history.findRun(runId);
    if (!run) throw new NotFoundError('Workflow history', runId);
    const steps = await this.runs.stepsOf(run.id);
    const names = await this.agentNames(steps);
    return {
      ...toHistoryRun(run, run.workflow!, steps, names),
      phases: steps.map((step) => toHistoryPhase(run, step, steps, names)),
      handoffs: toHandoffs(steps),
    };
  }

  async agentPerformance(query: AgentPerformanceQuery): Promise<AgentPerformanceListDto> {
    const window = windowOf(query, 7);
    const rows = await this.history.agentPeriods(
      { agentId: query.agent_id, period: query.period_type, window },
      query.limit,
    );
    return {
      metrics: rows.map((row) => toAgentPerformance(row, query.period_type)),
      summary: {
        total_records: rows.length,
        agents_covered: new Set(rows.map((row) => row.agent_id)).size,
        date_range: { start: iso(window.start), end: iso(window.end) },
      },
    };
  }

  async summary(query: HistoryWindowQuery): Promise<AnalyticsSummaryDto> {
    const window = windowOf(query, 30);
    const row = await this.history.summary(window);
    const finished = row.completed + row.failed + row.cancelled;
    return {
      total_workflows: row.total,
      successful_workflows: row.completed,
      failed_workflows: row.failed,
      cancelled_workflows: row.cancelled,
      success_rate: finished ? round2((row.completed / finished) * 100) : 0,
      average_duration_seconds: row.avg_seconds === null ? null : round2(row.avg_seconds),
      total_tasks: row.steps_total,
      completed_tasks: row.steps_completed,
      task_completion_rate: row.steps_total
        ? round2((row.steps_completed / row.steps_total) * 100)
        : 0,
      average_quality_score: row.quality === null ? null : round2(row.quality),
      period_start: iso(window.start),
      period_end: iso(window.end),
    };
  }

  /** Deletes finished runs started before the cutoff; the counts are what was deleted. */
  async cleanup(retentionDays: number): Promise<HistoryCleanupDto> {
    const cutoff = new Date(Date.now() - retentionDays * DAY_MS);
    const deleted = await this.history.deleteFinishedStartedBefore(cutoff);
    // No domain event says "runs purged": make cached reads of workflows fresh directly.
    if (deleted.runs) await this.cache.bump(['workflows', 'tasks']);
    return {
      message: 'Cleanup completed successfully',
      deleted_records: {
        workflow_history_deleted: deleted.runs,
        phase_history_deleted: deleted.steps,
        dispatch_records_deleted: deleted.dispatches,
        // Agents' performance is computed on demand from tasks, never stored.
        performance_metrics_deleted: 0,
      },
      cutoff_date: cutoff.toISOString(),
    };
  }

  private agentNames(steps: { assignedAgentId: string | null }[]): Promise<Map<string, string>> {
    return this.workflows.agentNames([
      ...new Set(steps.map((step) => step.assignedAgentId).filter((id) => id !== null)),
    ]);
  }
}
