import { ApiProperty, ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
import { PageQuery, V1PageQuery } from '../../common/pagination/page.js';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  type TaskPriority,
  type TaskStatus,
} from '../task-state.js';
import {
  BooleanField,
  DateTimeField,
  EnumField,
  IntField,
  NumberField,
  ObjectField,
  QueryFlag,
  QueryTags,
  StringListField,
  TextField,
  UuidField,
  UuidListField,
} from '../../common/validation/fields.js';

/** The writable fields of a task (not its status, progress or outcome: those follow the state machine). */
export class TaskWritableFields {
  @TextField({ max: 20_000 }, { nullable: true })
  description?: string | null;

  @EnumField(TASK_PRIORITIES, 'TaskPriority', { optional: true, doc: { default: 'medium' } })
  priority?: TaskPriority;

  @TextField({ min: 1, max: 100 }, { nullable: true })
  task_type?: string | null;

  @StringListField({ optional: true })
  tags?: string[];

  @ObjectField({ optional: true })
  metadata?: Record<string, unknown>;

  @UuidField({ nullable: true })
  assigned_agent_id?: string | null;

  @UuidField({ nullable: true })
  workflow_id?: string | null;

  @UuidField({ nullable: true })
  run_id?: string | null;

  @IntField({ min: 1, max: 1_000_000 }, { nullable: true })
  estimated_duration_minutes?: number | null;

  @IntField({ min: 1, max: 10 }, { nullable: true })
  complexity_score?: number | null;

  @IntField({ min: 1, max: 1_000_000 }, { nullable: true })
  effort_points?: number | null;

  @DateTimeField({ nullable: true })
  due_date?: string | null;

  @BooleanField({ optional: true })
  is_urgent?: boolean;

  @BooleanField({ optional: true })
  requires_review?: boolean;
}

export class CreateTaskDto extends TaskWritableFields {
  @TextField({ min: 1, max: 500 }, { doc: { example: 'Write the API docs' } })
  title: string;

  @UuidListField(
    { max: 100 },
    {
      nullable: true,
      doc: { description: 'Tasks this one depends on; each must exist' },
    },
  )
  dependencies?: string[];
}

export class UpdateTaskDto extends TaskWritableFields {
  @TextField({ min: 1, max: 500 }, { optional: true })
  title?: string;

  @NumberField({ min: 0, max: 100 }, { nullable: true })
  quality_score?: number | null;
}

export const TASK_SORT_FIELDS = [
  'created_at',
  'updated_at',
  'priority',
  'due_date',
  'title',
  'status',
] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];

/** Filters of the v1 and v2 lists. */
export interface TaskFilters {
  status?: TaskStatus;
  priority?: TaskPriority;
  assigned_agent_id?: string;
  workflow_id?: string;
  run_id?: string;
  task_type?: string;
  tags?: string[];
  search?: string;
  ready?: boolean;
  is_blocked?: boolean;
  is_urgent?: boolean;
}

export class ListTasksQuery extends PageQuery implements TaskFilters {
  @EnumField(TASK_STATUSES, 'TaskStatus', { optional: true })
  status?: TaskStatus;

  @EnumField(TASK_PRIORITIES, 'TaskPriority', { optional: true })
  priority?: TaskPriority;

  @UuidField({ optional: true })
  assigned_agent_id?: string;

  @UuidField({ optional: true })
  workflow_id?: string;

  @UuidField({ optional: true })
  run_id?: string;

  @TextField({ min: 1, max: 100 }, { optional: true })
  task_type?: string;

  @QueryTags('Comma list; a task matches if it has any of them')
  tags?: string[];

  @TextField(
    { min: 1, max: 200 },
    { optional: true, doc: { description: 'Case-insensitive text in the title or description' } },
  )
  search?: string;

  @QueryFlag({
    description: 'true: pending tasks whose dependencies are all completed; false: the others',
  })
  ready?: boolean;

  @EnumField(TASK_SORT_FIELDS, 'TaskSortBy', { optional: true, doc: { default: 'created_at' } })
  sort_by: TaskSortField = 'created_at';
}

/** The v1 list: v1 paging (no sorting) and the filters it shares with the v2 list, taken from it. */
export class V1ListTasksQuery
  extends IntersectionType(
    V1PageQuery,
    PickType(ListTasksQuery, [
      'status',
      'priority',
      'assigned_agent_id',
      'workflow_id',
      'task_type',
    ] as const),
  )
  implements TaskFilters
{
  @QueryFlag({ description: 'Status blocked' })
  is_blocked?: boolean;

  @QueryFlag()
  is_urgent?: boolean;
}

export class AssignedAgentDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) id: string | null;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
}

/** v2: the agent a task is assigned to. */
export class AgentRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiPropertyOptional() name?: string;
}

export class TimeTrackingDto {
  @ApiProperty({ nullable: true, type: Number }) estimated_duration_minutes: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'From started_at to completed_at' })
  actual_duration_minutes: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When it completed, failed or was cancelled',
  })
  completed_at: string | null;
}

export class TaskProgressDto {
  @ApiProperty({ description: '0-100' }) percentage: number;
  @ApiProperty() subtasks_completed: number;
  @ApiProperty() subtasks_total: number;
}

export class QualityMetricsDto {
  @ApiProperty({ nullable: true, type: Number }) quality_score: number | null;
  @ApiProperty({ nullable: true, type: Number }) complexity_score: number | null;
  @ApiProperty({ nullable: true, type: Number }) effort_points: number | null;
}

export class TaskFlagsDto {
  @ApiProperty({ description: 'Status is blocked (a dependency failed or was cancelled)' })
  is_blocked: boolean;
  @ApiProperty() is_urgent: boolean;
  @ApiProperty() requires_review: boolean;
}

/** Fields v1 and v2 share. */
class TaskBodyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: TASK_STATUSES, enumName: 'TaskStatus' }) status: TaskStatus;
  @ApiProperty({ enum: TASK_PRIORITIES, enumName: 'TaskPriority' }) priority: TaskPriority;
  @ApiProperty({ nullable: true, type: String }) task_type: string | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) workflow_id: string | null;
  @ApiProperty({ type: TimeTrackingDto }) time_tracking: TimeTrackingDto;
  @ApiProperty({ type: [String], description: 'Ids of the tasks it depends on' })
  dependencies: string[];
  @ApiProperty({ type: [String], description: 'Ids of the tasks that depend on it' })
  dependents: string[];
  @ApiProperty({ type: TaskProgressDto }) progress: TaskProgressDto;
  @ApiProperty({ type: QualityMetricsDto }) quality_metrics: QualityMetricsDto;
  @ApiProperty({ type: TaskFlagsDto }) flags: TaskFlagsDto;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) due_date: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** The v2 representation (CONTRACT §3 Task), also the payload of task events. */
export class TaskResponseDto extends TaskBodyDto {
  @ApiProperty({ type: AgentRefDto, nullable: true })
  assigned_agent: AgentRefDto | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) run_id: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The workflow step it carries (tasks of a run)',
  })
  step_key: string | null;
  @ApiProperty({ description: '1, then one more per retry' }) attempt: number;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  result: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

/** The original v1 TaskResponse. */
export class V1TaskResponseDto extends TaskBodyDto {
  @ApiProperty({ type: AssignedAgentDto }) assigned_agent: AssignedAgentDto;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskResponseDto] }) data: TaskResponseDto[];
  @ApiProperty({ example: { total: 1, skip: 0, limit: 50 } }) meta: {
    total: number;
    skip: number;
    limit: number;
  };
}
