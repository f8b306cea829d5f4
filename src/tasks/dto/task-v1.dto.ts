import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '../task-state.js';
import { CreateTaskDto, UpdateTaskDto } from './task.dto.js';
import { IsOptionalNotNull } from '../../common/validation/decorators.js';
import { EnumField, NumberField, UuidField } from '../../common/validation/fields.js';

export class V1CreateTaskDto extends CreateTaskDto {
  @ApiPropertyOptional({
    enum: ['pending'],
    description: 'Tasks are created pending; other statuses are reached by transitions',
  })
  @IsOptionalNotNull()
  @IsIn(['pending'])
  status?: 'pending';

  @ApiPropertyOptional({ description: 'Ignored: the name comes from the agent' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  assigned_agent_name?: string;
}

export class V1UpdateTaskDto extends UpdateTaskDto {
  @EnumField(TASK_STATUSES, 'TaskStatus', {
    optional: true,
    doc: { description: 'Changed through the state machine, as PATCH /status' },
  })
  status?: TaskStatus;

  @NumberField(
    { min: 0, max: 100 },
    { optional: true, doc: { minimum: 0, maximum: 100, description: 'Only while in progress' } },
  )
  progress_percentage?: number;

  @ApiPropertyOptional({ description: 'Ignored: the name comes from the agent' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  assigned_agent_name?: string;

  @ApiPropertyOptional({ description: 'Ignored: derived from started_at and completed_at' })
  @IsOptional()
  @IsInt()
  @Min(1)
  actual_duration_minutes?: number;

  @ApiPropertyOptional({ description: 'Ignored: derived from the status' })
  @IsOptional()
  @IsBoolean()
  is_blocked?: boolean;
}

export class V1TaskStatusDto {
  @EnumField(TASK_STATUSES, 'TaskStatus')
  status: TaskStatus;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  progress_percentage?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  quality_score?: number;
}

export class V1TaskProgressDto {
  @NumberField(
    { min: 0, max: 100 },
    { doc: { minimum: 0, maximum: 100, description: '100 completes the task' } },
  )
  progress_percentage: number;

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

export class V1AssignTaskDto {
  @UuidField()
  assigned_agent_id: string;

  @ApiPropertyOptional({ description: 'Ignored: the name comes from the agent' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  assigned_agent_name?: string;
}

export class V1AddDependencyDto {
  @UuidField()
  dependency_id: string;
}

export class V1BulkUpdateDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  task_ids: string[];

  @ApiProperty({ type: V1UpdateTaskDto })
  @ValidateNested()
  @Type(() => V1UpdateTaskDto)
  updates: V1UpdateTaskDto;
}

export class V1TaskStatsDto {
  @ApiProperty() total_tasks: number;
  @ApiProperty() pending_tasks: number;
  @ApiProperty() in_progress_tasks: number;
  @ApiProperty() completed_tasks: number;
  @ApiProperty() failed_tasks: number;
  @ApiProperty() blocked_tasks: number;
  @ApiProperty() urgent_tasks: number;
  @ApiProperty({ description: 'Mean progress, %' }) avg_progress: number;
  @ApiProperty({ description: 'completed / total, %' }) completion_rate: number;
}

export class TaskV1MessageDto {
  @ApiProperty({ example: 'Task deleted successfully' }) message: string;
}
