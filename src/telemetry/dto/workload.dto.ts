import { ApiProperty } from '@nestjs/swagger';

const counts = (example: Record<string, number>, description?: string) =>
  ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example, description });

export class AgentCountsDto {
  @ApiProperty() total: number;
  @counts({ active: 1, idle: 3, busy: 2, offline: 0, error: 0, inactive: 1, restarting: 0 })
  by_status: Record<string, number>;
}

export class TaskCountsDto {
  @ApiProperty() total: number;
  @counts({ pending: 4, in_progress: 2, completed: 30, failed: 3, blocked: 1, cancelled: 0 })
  by_status: Record<string, number>;
  @ApiProperty({ description: 'completed / (completed + failed), % (0 when none finished)' })
  success_rate: number;
  @ApiProperty({
    description: 'The same over tasks that ran on an agent (assigned), % (0 when none finished)',
  })
  agent_success_rate: number;
  @ApiProperty({
    required: false,
    description: 'Completed and failed tasks that ran on an agent (absent from older snapshots)',
  })
  finished_on_agents?: number;
}

export class WorkloadRunCountsDto {
  @ApiProperty() total: number;
  @counts({ scheduled: 0, running: 1, paused: 0, completed: 12, failed: 2, cancelled: 1 })
  by_status: Record<string, number>;
  @ApiProperty({
    nullable: true,
    type: 'number',
    description: 'completed / (completed + failed) runs, % (null until a run has finished)',
  })
  success_rate: number | null;
}

export class WorkloadWorkflowCountsDto {
  @ApiProperty() total: number;
  @counts(
    { active: 2, inactive: 0, paused: 0, running: 1, scheduled: 0, completed: 3 },
    'Workflows by the status they show: a running, paused or scheduled run first',
  )
  by_status: Record<string, number>;
  @ApiProperty({ type: WorkloadRunCountsDto }) runs: WorkloadRunCountsDto;
}

/** Agents, tasks and workflows now, counted from the stored rows. */
export class WorkloadFiguresDto {
  @ApiProperty({ type: AgentCountsDto }) agents: AgentCountsDto;
  @ApiProperty({ type: TaskCountsDto }) tasks: TaskCountsDto;
  @ApiProperty({
    type: WorkloadWorkflowCountsDto,
    required: false,
    description: 'Absent from snapshots stored before workflows were measured',
  })
  workflows?: WorkloadWorkflowCountsDto;
}

export class V1SystemAgentPerformanceDto {
  @ApiProperty({ description: 'Mean of the agents’ success rates, % (0 without agents)' })
  avg_success_rate: number;
  @ApiProperty({ description: 'Mean of the agents’ average task durations, ms' })
  avg_response_time: number;
  @ApiProperty({ description: 'Mean uptime over the last 7 days, % (0 without agents)' })
  avg_uptime: number;
  @ApiProperty({ description: 'Completed tasks assigned to an agent' })
  total_tasks_completed: number;
  @ApiProperty({ description: 'Failed tasks assigned to an agent' }) total_tasks_failed: number;
}

/** v1 `GET /system/metrics/agents`: the original shape, zeros when there are no agents. */
export class V1SystemAgentMetricsDto {
  @ApiProperty() total_agents: number;
  @counts({ idle: 3, busy: 1, offline: 0 }, 'Every status, zeros included')
  by_status: Record<string, number>;
  @counts({ backend: 2, frontend: 2 }) by_type: Record<string, number>;
  @ApiProperty({ type: V1SystemAgentPerformanceDto }) performance: V1SystemAgentPerformanceDto;
}

export class V1SystemTaskPerformanceDto {
  @ApiProperty({ description: 'completed / total, %' }) completion_rate: number;
  @ApiProperty({ description: 'Mean progress of every task, %' }) avg_progress: number;
  @ApiProperty({
    description:
      'Mean duration of completed tasks (started to completed), ms; 0 when none completed',
  })
  avg_duration: number;
  @ApiProperty({ description: 'Tasks in status blocked' }) blocked_count: number;
  @ApiProperty({ description: 'Tasks flagged urgent' }) urgent_count: number;
}

/** v1 `GET /system/metrics/tasks`: the original shape, zeros when there are no tasks. */
export class V1SystemTaskMetricsDto {
  @ApiProperty() total_tasks: number;
  @counts({ pending: 4, in_progress: 2, completed: 30, failed: 3, blocked: 1, cancelled: 0 })
  by_status: Record<string, number>;
  @counts({ low: 3, medium: 30, high: 6, critical: 1 }) by_priority: Record<string, number>;
  @counts({ review: 4, unspecified: 36 }, 'Tasks without a type count as `unspecified`')
  by_type: Record<string, number>;
  @ApiProperty({ type: V1SystemTaskPerformanceDto }) performance: V1SystemTaskPerformanceDto;
}

export class V1SystemWorkflowPerformanceDto {
  @ApiProperty({ description: 'Completed runs / all runs, %' }) completion_rate: number;
  @ApiProperty({ description: 'Mean progress of every run (finished steps / steps), %' })
  avg_progress: number;
  @ApiProperty({ description: 'Completed runs / finished (completed or failed) runs, %' })
  avg_success_rate: number;
  @ApiProperty({
    description: 'Mean duration of completed runs (started to completed), ms; 0 when none',
  })
  avg_duration: number;
  @ApiProperty({ description: 'Workflows flagged as templates' }) template_count: number;
}

/** v1 `GET /system/metrics/workflows`: the original shape, zeros when there are no workflows. */
export class V1SystemWorkflowMetricsDto {
  @ApiProperty() total_workflows: number;
  @counts(
    { active: 3, running: 1, paused: 0, completed: 2 },
    'By the status each workflow shows (its runs first)',
  )
  by_status: Record<string, number>;
  @counts({ development: 2, unspecified: 4 }, 'Workflows without a type count as `unspecified`')
  by_type: Record<string, number>;
  @ApiProperty({ type: V1SystemWorkflowPerformanceDto })
  performance: V1SystemWorkflowPerformanceDto;
}
