import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, ValidateNested } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '../task-state.js';
import { CreateTaskDto, UpdateTaskDto } from './task.dto.js';
import { IsOptionalNotNull } from '../../common/validation/decorators.js';
import {
  BooleanField,
  EnumField,
  IntField,
  NumberField,
  TextField,
  UuidField,
  UuidListField,
} from '../../common/validation/fields.js';

/** The original's `assigned_agent_name`: accepted, and ignored (the name comes from the agent). */
const IgnoredAgentName = () =>
  TextField(
    { max: 255 },
    { nullable: true, doc: { description: 'Ignored: the name comes from the agent' } },
  );

export class V1CreateTaskDto extends CreateTaskDto {
  @ApiPropertyOptional({
    enum: ['pending'],
    description: 'Tasks are created pending; other statuses are reached by transitions',
  })
  @IsOptionalNotNull()
  @IsIn(['pending'])
  status?: 'pending';

  @IgnoredAgentName()
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
    { optional: true, doc: { description: 'Only while in progress' } },
  )
  progress_percentage?: number;

  @IgnoredAgentName()
  assigned_agent_name?: string;

  @IntField(
    { min: 1 },
    { nullable: true, doc: { description: 'Ignored: derived from started_at and completed_at' } },
  )
  actual_duration_minutes?: number;

  @BooleanField({ nullable: true, doc: { description: 'Ignored: derived from the status' } })
  is_blocked?: boolean;
}

export class V1TaskStatusDto {
  @EnumField(TASK_STATUSES, 'TaskStatus')
  status: TaskStatus;

  @NumberField({ min: 0, max: 100 }, { optional: true })
  progress_percentage?: number;

  @NumberField({ min: 0, max: 100 }, { nullable: true })
  quality_score?: number;
}

export class V1TaskProgressDto {
  @NumberField({ min: 0, max: 100 }, { doc: { description: '100 completes the task' } })
  progress_percentage: number;

  @IntField({ min: 0 }, { nullable: true })
  subtasks_completed?: number;

  @IntField({ min: 0 }, { nullable: true })
  subtasks_total?: number;
}

export class V1AssignTaskDto {
  @UuidField()
  assigned_agent_id: string;

  @IgnoredAgentName()
  assigned_agent_name?: string;
}

export class V1AddDependencyDto {
  @UuidField()
  dependency_id: string;
}

export class V1BulkUpdateDto {
  @UuidListField({ min: 1, max: 1000 })
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
