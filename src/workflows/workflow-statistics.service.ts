import { Injectable } from '@nestjs/common';
import type { DurationFiguresDto, WorkflowStatisticsDto } from './dto/statistics.dto.js';
import { HistoryRepository } from './history.repository.js';
import { WorkflowsRepository } from './workflows.repository.js';

const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
const durations = (row: {
  avg: number | null;
  p50: number | null;
  p95: number | null;
}): DurationFiguresDto => ({
  avg: round2(row.avg),
  p50: round2(row.p50),
  p95: round2(row.p95),
});

/** GET /api/v2/workflows/statistics: computed in SQL from workflows, runs, steps and dispatches. */
@Injectable()
export class WorkflowStatisticsService {
  constructor(
    private readonly history: HistoryRepository,
    private readonly workflows: WorkflowsRepository,
  ) {}

  async statistics(): Promise<WorkflowStatisticsDto> {
    const [raw, workflows] = await Promise.all([
      this.history.statistics(),
      this.workflows.derivedStatuses(),
    ]);
    const workflowStatuses: Record<string, number> = {};
    for (const workflow of workflows)
      workflowStatuses[workflow.status] = (workflowStatuses[workflow.status] ?? 0) + 1;
    const runStatuses: Record<string, number> = {};
    const sources: Record<string, number> = {};
    let total = 0;
    for (const row of raw.byStatus) {
      runStatuses[row.status] = (runStatuses[row.status] ?? 0) + row.n;
      sources[row.source] = (sources[row.source] ?? 0) + row.n;
      total += row.n;
    }
    const finished =
      (runStatuses.completed ?? 0) + (runStatuses.failed ?? 0) + (runStatuses.cancelled ?? 0);
    const stepTotal = raw.steps.find((row) => row.status === null);
    const stepStatuses = Object.fromEntries(
      raw.steps.filter((row) => row.status !== null).map((row) => [row.status!, row.n]),
    );
    const completedSteps = raw.steps.find((row) => row.status === 'completed');
    return {
      workflows: {
        total: workflows.length,
        templates: workflows.filter((workflow) => workflow.is_template).length,
        by_status: workflowStatuses,
      },
      runs: {
        total,
        by_status: runStatuses,
        by_source: sources,
        success_rate: finished ? round2(((runStatuses.completed ?? 0) / finished) * 100)! : 0,
        duration_ms: durations(raw.runs),
        last_24_hours: {
          started: raw.runs.started_24h,
          completed: raw.runs.completed_24h,
          failed: raw.runs.failed_24h,
        },
      },
      steps: {
        total: stepTotal?.n ?? 0,
        by_status: stepStatuses,
        retried: stepTotal?.retried ?? 0,
        timed_out_attempts: raw.dispatch.timed_out,
        duration_ms: completedSteps
          ? durations(completedSteps)
          : { avg: null, p50: null, p95: null },
      },
      dispatch: {
        dispatches: raw.dispatch.dispatches,
        ready_to_assigned_ms: durations(raw.dispatch),
      },
    };
  }
}
