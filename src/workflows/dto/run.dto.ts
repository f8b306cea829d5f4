import { WAITING_REASONS, type WaitingReason } from '../waiting-reason.js';
import { ApiProperty } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination/page.js';
import { EnumField } from '../../common/validation/fields.js';
import { TASK_STATUSES, type TaskStatus } from '../../tasks/task-state.js';
import { RUN_SOURCES, RUN_STATUSES, type RunSource, type RunStatus } from '../run-state.js';
import { FAILURE_POLICIES, type FailurePolicy } from '../workflow-definition.js';
import { StepCountersDto } from './workflow.dto.js';

export class RunStepDto {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) task_id: string;
  @ApiProperty({
    enum: TASK_STATUSES,
    enumName: 'TaskStatus',
    description: 'The state of its task',
  })
  status: TaskStatus;
  @ApiProperty() attempt: number;
  @ApiProperty({ description: 'The highest attempt it may reach' }) max_attempts: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agent_id: string | null;
  @ApiProperty({ type: [String] }) depends_on: string[];
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Assignment of the current attempt',
  })
  dispatched_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the next attempt is due (failed steps with retries left)',
  })
  retry_at: string | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({
    nullable: true,
    enum: WAITING_REASONS,
    enumName: 'WaitingReason',
    description:
      'Why a ready step has no agent yet: no agent matches, matching agents but none heartbeating, or all at capacity; null when it is not waiting',
  })
  waiting_reason: WaitingReason | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The same in words, naming the agent type, capabilities or counts',
  })
  waiting_detail: string | null;
}

export class RunResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) workflow_id: string;
  @ApiProperty() run_number: number;
  @ApiProperty({ enum: RUN_STATUSES, enumName: 'RunStatus' }) status: RunStatus;
  @ApiProperty({ enum: RUN_SOURCES, enumName: 'RunSource' }) source: RunSource;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: Record<string, unknown>;
  @ApiProperty({ enum: FAILURE_POLICIES, enumName: 'FailurePolicy' }) failure_policy: FailurePolicy;
  @ApiProperty({ description: 'Completed steps among all, 0-100 (derived from the tasks)' })
  progress: number;
  @ApiProperty({ type: StepCountersDto }) counters: StepCountersDto;
  @ApiProperty({ type: [RunStepDto] }) steps: RunStepDto[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) scheduled_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: String }) triggered_by: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The SubForge run it mirrors' })
  external_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class RunPageDto {
  @ApiProperty({ type: [RunResponseDto] }) data: RunResponseDto[];
  @ApiProperty({ example: { total: 1, skip: 0, limit: 50 } }) meta: {
    total: number;
    skip: number;
    limit: number;
  };
}

export const RUN_SORT_FIELDS = [
  'created_at',
  'started_at',
  'completed_at',
  'status',
  'run_number',
] as const;
export type RunSortField = (typeof RUN_SORT_FIELDS)[number];

export class ListRunsQuery extends PageQuery {
  @EnumField(RUN_STATUSES, 'RunStatus', { optional: true })
  status?: RunStatus;

  @EnumField(RUN_SORT_FIELDS, 'RunSortBy', { optional: true, doc: { default: 'created_at' } })
  sort_by: RunSortField = 'created_at';
}
