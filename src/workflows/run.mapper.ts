import { iso } from '../common/time.js';
import type { TaskStatus } from '../tasks/task-state.js';
import type { RunResponseDto, RunStepDto } from './dto/run.dto.js';
import type { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { retryDueAt } from './retry-policy.js';
import { awaitsRetry, countSteps, progressOf } from './run-state.js';
import type { StepRow } from './run-store.js';

export function toRunStep(step: StepRow): RunStepDto {
  const retrying = awaitsRetry(step);
  return {
    key: step.key,
    name: step.name,
    task_id: step.taskId,
    status: step.status,
    attempt: step.attempt,
    max_attempts: step.maxAttempts,
    agent_id: step.assignedAgentId,
    depends_on: step.dependsOn,
    dispatched_at: iso(step.dispatchedAt),
    started_at: iso(step.startedAt),
    completed_at: iso(step.completedAt),
    retry_at: retrying && step.completedAt ? iso(retryDueAt(step.completedAt, step.attempt)) : null,
    error: step.error,
    // Only a step still waiting for an agent says why.
    waiting_reason: step.status === 'pending' ? step.waitingReason : null,
    waiting_detail: step.status === 'pending' ? step.waitingDetail : null,
  };
}

/** CONTRACT §3 Run: progress and counters come from the steps' tasks, never from the row. */
export function toRunResponse(run: WorkflowRunEntity, steps: StepRow[]): RunResponseDto {
  return {
    ...toRunSummary(
      run,
      steps.map((step) => step.status),
    ),
    steps: steps.map(toRunStep),
  };
}

/** The run without its steps (what run events carry), from its steps' task states. */
export function toRunSummary(
  run: WorkflowRunEntity,
  statuses: TaskStatus[],
): Omit<RunResponseDto, 'steps'> {
  const counters = countSteps(statuses);
  return {
    id: run.id,
    workflow_id: run.workflowId,
    run_number: run.runNumber,
    status: run.status,
    source: run.source,
    parameters: run.parameters,
    failure_policy: run.failurePolicy,
    progress: progressOf(counters),
    counters,
    scheduled_at: iso(run.scheduledAt),
    started_at: iso(run.startedAt),
    completed_at: iso(run.completedAt),
    error: run.error,
    triggered_by: run.triggeredBy,
    external_id: run.externalId,
    created_at: iso(run.createdAt)!,
    updated_at: iso(run.updatedAt)!,
  };
}
