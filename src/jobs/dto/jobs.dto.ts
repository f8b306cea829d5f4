import { ANY_JSON_OR_NULL } from '../../common/http/api-responses.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Max,
  Min,
} from 'class-validator';
import { PageQuery } from '../../common/pagination/page.js';
import { DateTimeField, EnumField, TextField } from '../../common/validation/fields.js';
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

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { older_than_days: 30 },
  })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: JOB_PRIORITIES, enumName: 'JobPriority' })
  @IsOptional()
  @IsIn(JOB_PRIORITIES)
  priority?: JobPriority;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10,
    description: 'Retries after the first run (default: the type’s)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 30 * 86_400_000,
    description: 'Start no earlier than this many ms from now',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86_400_000)
  delay_ms?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export const JOB_SORT_FIELDS = [
  'created_at',
  'task_name',
  'status',
  'priority',
  'progress',
] as const;

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

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

  @ApiPropertyOptional({
    description: 'Include jobs the service schedules for itself',
    default: false,
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  include_internal?: boolean;

  @EnumField(JOB_SORT_FIELDS, 'JobSortField', { optional: true, doc: { default: 'created_at' } })
  sort_by: (typeof JOB_SORT_FIELDS)[number] = 'created_at';
}

export class StatisticsQuery {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  include_internal?: boolean;
}

export const BULK_JOB_OPERATIONS = ['cancel', 'retry'] as const;

export class BulkJobsDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
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
