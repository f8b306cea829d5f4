import { ANY_JSON_OR_NULL } from '../../common/http/api-responses.js';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { PageQuery } from '../../common/pagination/page.js';
import {
  DateTimeField,
  EnumField,
  IntField,
  ObjectField,
  QueryFlag,
  TextField,
  UuidListField,
} from '../../common/validation/fields.js';
import { JOB_STATUSES, type JobStatus } from '../entities/background-task.entity.js';
import { JOB_PRIORITIES, type JobPriority } from '../job-types.js';

export class SubmitJobDto {
  @TextField(
    { min: 1, max: 100 },
    {
      doc: {
        example: 'system.cleanup',
        description: 'A job type of GET /background-tasks/types',
      },
    },
  )
  task_name: string;

  @ObjectField({ nullable: true, doc: { example: { older_than_days: 30 } } })
  parameters?: Record<string, unknown>;

  @EnumField(JOB_PRIORITIES, 'JobPriority', { nullable: true })
  priority?: JobPriority;

  @IntField(
    { min: 0, max: 10 },
    {
      nullable: true,
      doc: { description: 'Retries after the first run (default: the type’s)' },
    },
  )
  max_retries?: number;

  @IntField(
    { min: 0, max: 30 * 86_400_000 },
    {
      nullable: true,
      doc: {
        description: 'Start no earlier than this many ms from now',
      },
    },
  )
  delay_ms?: number;

  @ObjectField({ nullable: true })
  metadata?: Record<string, unknown>;
}

export const JOB_SORT_FIELDS = [
  'created_at',
  'task_name',
  'status',
  'priority',
  'progress',
] as const;

export class ListJobsQuery extends PageQuery {
  @EnumField(JOB_STATUSES, 'JobStatus', { optional: true })
  status?: JobStatus;

  @EnumField(JOB_PRIORITIES, 'JobPriority', { optional: true })
  priority?: JobPriority;

  @TextField({ min: 1, max: 100 }, { optional: true })
  task_name?: string;

  @DateTimeField({ optional: true })
  created_after?: string;

  @DateTimeField({ optional: true })
  created_before?: string;

  @QueryFlag({ description: 'Include jobs the service schedules for itself', default: false })
  include_internal?: boolean;

  @EnumField(JOB_SORT_FIELDS, 'JobSortField', { optional: true, doc: { default: 'created_at' } })
  sort_by: (typeof JOB_SORT_FIELDS)[number] = 'created_at';
}

export class StatisticsQuery {
  @QueryFlag({ default: false })
  include_internal?: boolean;
}

export const BULK_JOB_OPERATIONS = ['cancel', 'retry'] as const;

export class BulkJobsDto {
  @UuidListField({ min: 1, max: 100 })
  task_ids: string[];

  @EnumField(BULK_JOB_OPERATIONS, 'BulkJobOperation')
  operation: (typeof BULK_JOB_OPERATIONS)[number];
}

export class JobCleanupQuery {
  @ApiProperty({ minimum: 0, maximum: 3650 })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3650)
  older_than_days: number;
}

export class JobResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() task_name: string;
  @ApiProperty({ enum: JOB_STATUSES, enumName: 'JobStatus' }) status: JobStatus;
  @ApiProperty({ enum: JOB_PRIORITIES, enumName: 'JobPriority' }) priority: JobPriority;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ nullable: true, type: String }) progress_message: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: Record<string, unknown>;
  @ApiProperty({ ...ANY_JSON_OR_NULL, description: 'What the job returned' }) result: unknown;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ description: 'Runs started so far' }) attempts: number;
  @ApiProperty() max_retries: number;
  @ApiProperty() queue: string;
  @ApiProperty() internal: boolean;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'ms from start to finish' })
  duration_ms: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
}
