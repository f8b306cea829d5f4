import { ApiProperty } from '@nestjs/swagger';
import { TASK_STATUSES, type TaskStatus } from '../task-state.js';
import {
  BooleanField,
  IntField,
  NumberField,
  ObjectField,
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
        description: 'The attempt this report is about; a superseded attempt is refused (409)',
      },
    },
  )
  attempt?: number;
}

export class CompleteTaskDto extends TaskActionDto {
  @ObjectField({ nullable: true })
  result?: Record<string, unknown>;

  @NumberField({ min: 0, max: 100 }, { nullable: true })
  quality_score?: number;
}

export class FailTaskDto extends TaskActionDto {
  @TextField({ min: 1, max: 10_000 }, { doc: { example: 'Tests did not pass' } })
  error: string;

  @BooleanField({ nullable: true, doc: { description: 'Whether a retry may succeed' } })
  retryable?: boolean;
}

export class ProgressTaskDto extends TaskActionDto {
  @NumberField({ min: 0, max: 100 })
  percentage: number;

  @TextField({ min: 1, max: 2000 }, { nullable: true })
  message?: string;

  @IntField({ min: 0 }, { nullable: true })
  subtasks_completed?: number;

  @IntField({ min: 0 }, { nullable: true })
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
