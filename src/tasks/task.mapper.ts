import { iso } from '../common/time.js';
import type { TaskResponseDto, V1TaskResponseDto } from './dto/task.dto.js';
import type { TaskEntity } from './entities/task.entity.js';
import type { TaskLinks } from './tasks.repository.js';

/** A task with what its representations show beside its row. */
export interface TaskSnapshot {
  task: TaskEntity;
  agentName: string | null;
  links: TaskLinks;
}

function body(snapshot: TaskSnapshot) {
  const { task, links } = snapshot;
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    task_type: task.taskType,
    tags: task.tags,
    metadata: task.metadata,
    workflow_id: task.workflowId,
    time_tracking: {
      estimated_duration_minutes: task.estimatedDurationMinutes,
      actual_duration_minutes: task.actualDurationMinutes,
      started_at: iso(task.startedAt),
      completed_at: iso(task.completedAt),
    },
    dependencies: links.dependencies,
    dependents: links.dependents,
    progress: {
      percentage: task.progressPercentage,
      subtasks_completed: task.subtasksCompleted,
      subtasks_total: task.subtasksTotal,
    },
    quality_metrics: {
      quality_score: task.qualityScore,
      complexity_score: task.complexityScore,
      effort_points: task.effortPoints,
    },
    flags: {
      is_blocked: task.status === 'blocked',
      is_urgent: task.isUrgent,
      requires_review: task.requiresReview,
    },
    due_date: iso(task.dueDate),
    created_at: iso(task.createdAt)!,
    updated_at: iso(task.updatedAt)!,
  };
}

/** The v2 representation (CONTRACT §3 Task): the API's and the events' one shape. */
export function toTaskResponse(snapshot: TaskSnapshot): TaskResponseDto {
  const { task } = snapshot;
  return {
    ...body(snapshot),
    assigned_agent: task.assignedAgentId
      ? { id: task.assignedAgentId, ...(snapshot.agentName ? { name: snapshot.agentName } : {}) }
      : null,
    run_id: task.runId,
    step_key: task.stepKey,
    attempt: task.attempt,
    result: task.result,
    error: task.error,
  };
}

/** The original v1 TaskResponse, from the same data. */
export function toV1TaskResponse(snapshot: TaskSnapshot): V1TaskResponseDto {
  return {
    ...body(snapshot),
    assigned_agent: { id: snapshot.task.assignedAgentId, name: snapshot.agentName },
  };
}
