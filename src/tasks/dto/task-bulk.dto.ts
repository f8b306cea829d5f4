import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EnumField, ObjectField, UuidListField } from '../../common/validation/fields.js';

export const TASK_BULK_OPERATIONS = ['update', 'assign', 'cancel', 'retry', 'delete'] as const;
export type TaskBulkOperation = (typeof TASK_BULK_OPERATIONS)[number];

export class BulkTaskOperationDto {
  @UuidListField({ min: 1, max: 100 })
  task_ids: string[];

  @EnumField(TASK_BULK_OPERATIONS, 'TaskBulkOperation')
  operation: TaskBulkOperation;

  @ObjectField({
    nullable: true,
    doc: {
      description:
        'update: fields as in PUT; assign: {assigned_agent_id (null unassigns)}; delete: {force?}',
    },
  })
  parameters?: Record<string, unknown>;
}

export class BulkTaskItemDto {
  @ApiProperty() task_id: string;
  @ApiProperty() success: boolean;
  @ApiPropertyOptional() action?: string;
  @ApiPropertyOptional() error?: string;
}

export class BulkTaskResultDto {
  @ApiProperty({ enum: TASK_BULK_OPERATIONS, enumName: 'TaskBulkOperation' })
  operation: TaskBulkOperation;
  @ApiProperty({ description: 'Ids in the request, duplicates included' }) total_tasks: number;
  @ApiProperty() successful: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [BulkTaskItemDto] }) results: BulkTaskItemDto[];
}

export class TaskStatisticsDto {
  @ApiProperty() total: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  by_status: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  by_priority: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  by_type: Record<string, number>;
  @ApiProperty({ description: 'Pending with every dependency completed' }) ready: number;
  @ApiProperty() urgent: number;
  @ApiProperty({ description: 'Past due_date and not finished' }) overdue: number;
  @ApiProperty({ description: 'Mean progress of unfinished tasks, %' }) avg_progress: number;
  @ApiProperty({ description: 'completed / total, %' }) completion_rate: number;
  @ApiProperty({ description: 'completed / (completed + failed), %' }) success_rate: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Mean started→completed, ms' })
  avg_duration_ms: number | null;
  @ApiProperty({ description: 'Tasks completed in the last 24 hours' }) completed_last_24h: number;
}
