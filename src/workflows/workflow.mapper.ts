import { iso } from '../common/time.js';
import type { RunCountsDto, WorkflowResponseDto, WorkflowStatus } from './dto/workflow.dto.js';
import type { V1WorkflowResponseDto } from './dto/workflow-v1-responses.dto.js';
import type { StoredWorkflowStatus, WorkflowEntity } from './entities/workflow.entity.js';
import { progressOf, type RunCounters, type RunStatus } from './run-state.js';
import { withStepDefaults } from './workflow-definition.js';

/** What a workflow's runs say about it (read in SQL for a page of workflows at once). */
export interface WorkflowFigures {
  runs: RunCountsDto;
  latest: {
    id: string;
    runNumber: number;
    status: RunStatus;
    startedAt: Date | null;
    completedAt: Date | null;
    counters: RunCounters;
  } | null;
  /** Duration of the latest finished run, ms. */
  lastDurationMs: number | null;
  nextScheduledAt: Date | null;
  /** Mean quality score reported on its runs' steps. */
  avgQualityScore: number | null;
}

export const NO_RUNS: RunCountsDto = Object.freeze({
  total: 0,
  scheduled: 0,
  running: 0,
  paused: 0,
  completed: 0,
  failed: 0,
  cancelled: 0,
});

export const EMPTY_COUNTERS: RunCounters = Object.freeze({
  total: 0,
  pending: 0,
  running: 0,
  completed: 0,
  failed: 0,
  cancelled: 0,
});

export const NO_FIGURES: WorkflowFigures = Object.freeze({
  runs: NO_RUNS,
  latest: null,
  lastDurationMs: null,
  nextScheduledAt: null,
  avgQualityScore: null,
});

const round2 = (value: number) => Math.round(value * 100) / 100;

/** `running` (or `paused`, `scheduled`) while it has such a run; else the stored status. */
export function deriveWorkflowStatus(
  stored: StoredWorkflowStatus,
  runs: RunCountsDto,
): WorkflowStatus {
  if (runs.running) return 'running';
  if (runs.paused) return 'paused';
  if (runs.scheduled) return 'scheduled';
  return stored;
}

/** Completed runs among finished ones, in %. */
export function runSuccessRate(runs: RunCountsDto): number {
  const finished = runs.completed + runs.failed + runs.cancelled;
  return finished ? round2((runs.completed / finished) * 100) : 0;
}

function latestProgress(figures: WorkflowFigures): number {
  return figures.latest ? progressOf(figures.latest.counters) : 0;
}

/** The v2 representation: the API's and the events' one shape. */
export function toWorkflowResponse(
  workflow: WorkflowEntity,
  figures: WorkflowFigures,
): WorkflowResponseDto {
  const latest = figures.latest;
  return {
    id: workflow.id,
    name: workflow.name,
    description: workflow.description,
    status: deriveWorkflowStatus(workflow.status, figures.runs),
    workflow_type: workflow.workflowType,
    project_id: workflow.projectId,
    project_name: workflow.projectName,
    configuration: workflow.configuration,
    parameters: workflow.parameters,
    tags: workflow.tags,
    metadata: workflow.metadata,
    is_template: workflow.isTemplate,
    requires_approval: workflow.requiresApproval,
    assigned_agents: workflow.assignedAgents,
    steps: workflow.steps.map(withStepDefaults),
    failure_policy: workflow.failurePolicy,
    estimated_duration_hours: workflow.estimatedDurationHours,
    progress: latestProgress(figures),
    counters: latest ? latest.counters : { ...EMPTY_COUNTERS },
    runs: figures.runs,
    success_rate: runSuccessRate(figures.runs),
    latest_run: latest
      ? {
          id: latest.id,
          run_number: latest.runNumber,
          status: latest.status,
          progress: progressOf(latest.counters),
          started_at: iso(latest.startedAt),
          completed_at: iso(latest.completedAt),
        }
      : null,
    scheduled_at: iso(figures.nextScheduledAt),
    reported: workflow.reportedFigures ? { ...workflow.reportedFigures } : null,
    created_at: iso(workflow.createdAt)!,
    updated_at: iso(workflow.updatedAt)!,
  };
}

/** The original v1 WorkflowResponse, from the same data. */
export function toV1WorkflowResponse(
  workflow: WorkflowEntity,
  figures: WorkflowFigures,
): V1WorkflowResponseDto {
  const status = deriveWorkflowStatus(workflow.status, figures.runs);
  const latest = figures.latest;
  const reported = workflow.reportedFigures ?? {};
  return {
    id: workflow.id,
    name: workflow.name,
    description: workflow.description,
    status,
    workflow_type: workflow.workflowType,
    project: { id: workflow.projectId, name: workflow.projectName },
    configuration: workflow.configuration,
    parameters: workflow.parameters,
    progress: {
      percentage: latestProgress(figures),
      total_tasks: latest?.counters.total ?? 0,
      completed_tasks: latest?.counters.completed ?? 0,
      failed_tasks: latest?.counters.failed ?? 0,
    },
    time_tracking: {
      estimated_duration_hours: workflow.estimatedDurationHours,
      actual_duration_hours:
        figures.lastDurationMs === null ? null : round2(figures.lastDurationMs / 3_600_000),
      started_at: iso(latest?.startedAt),
      completed_at: iso(latest?.completedAt),
    },
    quality_metrics: {
      success_rate: runSuccessRate(figures.runs),
      quality_score: figures.avgQualityScore === null ? null : round2(figures.avgQualityScore),
      efficiency_score: reported.efficiency_score ?? null,
    },
    agents: { assigned: workflow.assignedAgents, utilization: reported.agent_utilization ?? {} },
    tags: workflow.tags,
    metadata: workflow.metadata,
    flags: {
      is_paused: status === 'paused',
      is_template: workflow.isTemplate,
      requires_approval: workflow.requiresApproval,
    },
    steps: workflow.steps.map(withStepDefaults),
    failure_policy: workflow.failurePolicy,
    reported: workflow.reportedFigures ? { ...workflow.reportedFigures } : null,
    created_at: iso(workflow.createdAt)!,
    updated_at: iso(workflow.updatedAt)!,
    scheduled_at: iso(figures.nextScheduledAt),
  };
}
