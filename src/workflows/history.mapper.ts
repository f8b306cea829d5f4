import { iso } from '../common/time.js';
import type {
  AgentPerformanceDto,
  HistoryHandoffDto,
  HistoryPhaseDto,
  HistoryRunDto,
  PeriodType,
} from './dto/history.dto.js';
import type { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import type { WorkflowEntity } from './entities/workflow.entity.js';
import type { AgentPeriodRow } from './history.repository.js';
import { countSteps } from './run-state.js';
import type { StepRow } from './run-store.js';

const round2 = (value: number) => Math.round(value * 100) / 100;
const rate = (part: number, whole: number) => (whole ? round2((part / whole) * 100) : 0);
const seconds = (from: Date | null, to: Date | null) =>
  from && to ? round2((to.getTime() - from.getTime()) / 1000) : null;

/** success: every step completed; failure: none did; partial: some did. Null while unfinished. */
export function finalResult(
  run: Pick<WorkflowRunEntity, 'status'>,
  steps: Pick<StepRow, 'status'>[],
): 'success' | 'failure' | 'partial' | null {
  if (run.status === 'completed') return 'success';
  if (run.status !== 'failed' && run.status !== 'cancelled') return null;
  return steps.some((step) => step.status === 'completed') ? 'partial' : 'failure';
}

/** A run in the original WorkflowHistory shape, every figure from its steps' tasks. */
export function toHistoryRun(
  run: WorkflowRunEntity,
  workflow: WorkflowEntity,
  steps: StepRow[],
  agentNames: Map<string, string>,
): HistoryRunDto {
  const counters = countSteps(steps.map((step) => step.status));
  const scores = steps.map((step) => step.qualityScore).filter((score) => score !== null);
  const agents = [
    ...new Set(steps.map((step) => step.assignedAgentId).filter((id) => id !== null)),
  ];
  const errors = steps
    .filter((step) => step.status === 'failed' && step.error)
    .map((step) => `${step.key}: ${step.error}`);
  if (run.error && run.status !== 'cancelled') errors.unshift(run.error);
  return {
    id: run.id,
    workflow_id: run.workflowId,
    execution_id: run.id,
    execution_number: run.runNumber,
    workflow: {
      name: workflow.name,
      type: workflow.workflowType,
      project_id: workflow.projectId,
      project_name: workflow.projectName,
    },
    status: run.status,
    final_result: finalResult(run, steps),
    time_tracking: {
      started_at: iso(run.startedAt),
      completed_at: iso(run.completedAt),
      duration_seconds: seconds(run.startedAt, run.completedAt),
    },
    progress: {
      phases: {
        total: counters.total,
        completed: counters.completed,
        failed: counters.failed,
        skipped: counters.cancelled,
      },
      tasks: { total: counters.total, completed: counters.completed, failed: counters.failed },
    },
    quality_metrics: {
      success_rate: rate(counters.completed, counters.total),
      quality_score: scores.length
        ? round2(scores.reduce((a, b) => a + b, 0) / scores.length)
        : null,
      efficiency_score: null,
    },
    agents: {
      assigned: agents.map((id) => ({ id, name: agentNames.get(id) ?? null })),
      performance_summary: Object.fromEntries(
        agents.map((id) => {
          const mine = steps.filter((step) => step.assignedAgentId === id);
          return [
            id,
            {
              steps: mine.length,
              completed: mine.filter((step) => step.status === 'completed').length,
              failed: mine.filter((step) => step.status === 'failed').length,
            },
          ];
        }),
      ),
    },
    issues: { errors, warnings: [], critical: [] },
    resource_usage: {},
    trigger: { by: run.triggeredBy, event: { type: run.trigger, source: run.source } },
    created_at: iso(run.createdAt)!,
    updated_at: iso(run.updatedAt)!,
  };
}

export function toHistoryPhase(
  run: WorkflowRunEntity,
  step: StepRow,
  steps: StepRow[],
  agentNames: Map<string, string>,
): HistoryPhaseDto {
  return {
    id: step.taskId,
    workflow_history_id: run.id,
    phase: { name: step.name, key: step.key, type: step.taskType, order: step.position },
    status: step.status,
    result: step.status === 'completed' ? 'success' : step.status === 'failed' ? 'failure' : null,
    time_tracking: {
      started_at: iso(step.startedAt),
      completed_at: iso(step.completedAt),
      duration_seconds: seconds(step.startedAt, step.completedAt),
    },
    agent: {
      id: step.assignedAgentId,
      name: step.assignedAgentId ? (agentNames.get(step.assignedAgentId) ?? null) : null,
    },
    attempt: step.attempt,
    parameters: { output: step.result },
    quality_metrics: { quality_score: step.qualityScore },
    relationships: {
      dependencies: step.dependsOn,
      dependents: steps
        .filter((other) => other.dependsOn.includes(step.key))
        .map((other) => other.key),
    },
    issues: { errors: step.error ? [step.error] : [], warnings: [] },
  };
}

/**
 * One handoff per dependency edge: from the source step's completion to the target
 * step's assignment (the orchestrator's dispatch delay on that edge).
 */
export function toHandoffs(steps: StepRow[]): HistoryHandoffDto[] {
  const byKey = new Map(steps.map((step) => [step.key, step]));
  return steps.flatMap((target) =>
    target.dependsOn.map((key) => {
      const source = byKey.get(key)!;
      const handedOver = source.status === 'completed' && target.dispatchedAt !== null;
      return {
        handoff: {
          name: `${source.key} -> ${target.key}`,
          type:
            source.assignedAgentId &&
            target.assignedAgentId &&
            source.assignedAgentId !== target.assignedAgentId
              ? 'agent_to_agent'
              : 'phase_to_phase',
        },
        source: { phase_name: source.name, agent_id: source.assignedAgentId },
        target: { phase_name: target.name, agent_id: target.assignedAgentId },
        status: handedOver
          ? 'completed'
          : source.status === 'completed'
            ? 'in_progress'
            : 'pending',
        time_tracking: {
          initiated_at: source.status === 'completed' ? iso(source.completedAt) : null,
          completed_at: handedOver ? iso(target.dispatchedAt) : null,
          duration_seconds: handedOver ? seconds(source.completedAt, target.dispatchedAt) : null,
        },
      };
    }),
  );
}

const PERIOD_MS: Record<PeriodType, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 0,
};

function periodEnd(start: Date, period: PeriodType): Date {
  if (period !== 'month') return new Date(start.getTime() + PERIOD_MS[period]);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

export function toAgentPerformance(row: AgentPeriodRow, period: PeriodType): AgentPerformanceDto {
  const end = periodEnd(row.period_start, period);
  const periodSeconds = (end.getTime() - row.period_start.getTime()) / 1000;
  const stepFigures = {
    total: row.steps_total,
    successful: row.steps_completed,
    failed: row.steps_failed,
    success_rate: rate(row.steps_completed, row.steps_completed + row.steps_failed),
  };
  return {
    agent: { id: row.agent_id, name: row.agent_name, type: row.agent_type },
    period: { start: iso(row.period_start)!, end: iso(end)!, type: period },
    performance: {
      workflows: {
        total: row.runs_total,
        successful: row.runs_completed,
        failed: row.runs_failed,
        success_rate: rate(row.runs_completed, row.runs_completed + row.runs_failed),
      },
      phases: stepFigures,
      tasks: stepFigures,
    },
    time_metrics: {
      total_active_time_seconds: round2(row.active_seconds),
      average_task_duration_seconds: row.steps_total
        ? round2(row.active_seconds / row.steps_total)
        : null,
      average_phase_duration_seconds: row.steps_total
        ? round2(row.active_seconds / row.steps_total)
        : null,
    },
    quality_metrics: { average_quality_score: row.quality === null ? null : round2(row.quality) },
    utilization: {
      utilization_percentage: Math.min(100, rate(row.active_seconds, periodSeconds)),
      idle_time_seconds: round2(Math.max(0, periodSeconds - row.active_seconds)),
    },
    issues: { total_errors: row.steps_failed, timeouts: row.timeouts },
  };
}
