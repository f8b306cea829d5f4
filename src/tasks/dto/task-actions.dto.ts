import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '../task-state.js';
import {
  IntField,
  NumberField,
  QueryFlag,
  TextField,
  UuidField,
} from '../../common/validation/fields.js';

/** Reports may name the attempt they are about; an older attempt is refused with 409. */
export class TaskActionDto {
  @IntField(
    { min: 1 },
    {
      optional: true,
      doc: {
        minimum: 1,
        description: 'The attempt this report is about; a superseded attempt is refused (409)',
      },
    },
  )
  attempt?: number;
}

export class CompleteTaskDto extends TaskActionDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  result?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  quality_score?: number;
}

export class FailTaskDto extends TaskActionDto {
  @TextField(
    { min: 1, max: 10_000 },
    { doc: { minLength: 1, maxLength: 10_000, example: 'Tests did not pass' } },
  )
  error: string;

  @ApiPropertyOptional({ description: 'Whether a retry may succeed' })
  @IsOptional()
  @IsBoolean()
  retryable?: boolean;
}

export class ProgressTaskDto extends TaskActionDto {
  @NumberField({ min: 0, max: 100 }, { doc: { minimum: 0, maximum: 100 } })
  percentage: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  message?: string;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  subtasks_completed?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  subtasks_total?: number;
}

/** Socket messages carry the task id in the body. */
export class TaskProgressMessage extends ProgressTaskDto {
  @UuidField({ doc: { description: 'The task reported on' } })
  task_id: string;
}

export class TaskCompleteMessage extends CompleteTaskDto {
  @UuidField({ doc: { description: 'The task reported on' } })
  task_id: string;
}

export class TaskFailMessage extends FailTaskDto {
  @UuidField({ doc: { description: 'The task reported on' } })
  task_id: string;
}

export class AddDependencyDto {
  @UuidField({ doc: { description: 'The task this one will depend on' } })
  dependency_id: string;
}

export class DeleteTaskQuery {
  @QueryFlag({
    description: 'Delete even if other tasks depend on it, removing those dependencies',
  })
  force?: boolean;
}

export class UpstreamTaskDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: TASK_STATUSES, enumName: 'TaskStatus' }) status: TaskStatus;
  @ApiProperty({ description: 'Completed: no longer in the way' }) satisfied: boolean;
}

export class DownstreamTaskDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: TASK_STATUSES, enumName: 'TaskStatus' }) status: TaskStatus;
}

export class TaskDependenciesDto {
  @ApiProperty({ format: 'uuid' }) task_id: string;
  @ApiProperty({ enum: TASK_STATUSES, enumName: 'TaskStatus' }) status: TaskStatus;
  @ApiProperty({ description: 'Pending with every dependency completed' }) is_ready: boolean;
  @ApiProperty({ type: [String], description: 'Dependencies not completed yet' })
  blockers: string[];
  @ApiProperty({ type: [String], description: 'Failed or cancelled dependencies (why blocked)' })
  blocked_by: string[];
  @ApiProperty({ type: [UpstreamTaskDto] }) upstream: UpstreamTaskDto[];
  @ApiProperty({ type: [DownstreamTaskDto] }) downstream: DownstreamTaskDto[];
}
