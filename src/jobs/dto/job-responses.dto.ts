import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_PRIORITIES, type JobPriority } from '../job-types.js';

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class JobTypeDto {
  @ApiProperty({ example: 'system.analyze_metrics' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty() queue: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema' })
  parameters_schema: Record<string, unknown>;
  @ApiProperty({ enum: JOB_PRIORITIES, enumName: 'JobPriority' }) default_priority: JobPriority;
  @ApiProperty() max_retries: number;
  @ApiProperty() timeout_seconds: number;
  @ApiProperty({ enum: ['viewer', 'operator', 'admin'], enumName: 'UserRole' })
  required_role: string;
  @ApiProperty({
    type: [String],
    example: ['analyze_system_metrics'],
    description: "The original backend's names for this type, accepted on submit",
  })
  aliases: string[];
}

export class JobTypesDto {
  @ApiProperty({ type: [JobTypeDto] }) types: JobTypeDto[];
}

export class JobStatisticsDto {
  @ApiProperty(COUNTS) by_status: Record<string, number>;
  @ApiProperty(COUNTS) by_type: Record<string, number>;
  @ApiProperty(COUNTS) by_priority: Record<string, number>;
  @ApiProperty({ type: Number, nullable: true }) average_duration_ms: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '% of finished tasks' })
  success_rate: number | null;
  @ApiProperty() throughput_per_minute: number;
  @ApiProperty() finished_last_hour: number;
  @ApiProperty() total: number;
}

export class QueueStateDto {
  @ApiProperty() name: string;
  @ApiProperty() waiting: number;
  @ApiProperty() active: number;
  @ApiProperty() delayed: number;
  @ApiProperty() completed: number;
  @ApiProperty() failed: number;
  @ApiProperty() paused: boolean;
  @ApiProperty({ description: 'Live workers' }) workers: number;
  @ApiProperty() processing_rate_per_minute: number;
}

export class QueueStatusDto {
  @ApiProperty({ type: [QueueStateDto] }) queues: QueueStateDto[];
  @ApiProperty({ format: 'date-time' }) timestamp: string;
}

export class QueuePausedDto {
  @ApiProperty() name: string;
  @ApiProperty() paused: boolean;
}

export class BulkJobItemDto {
  @ApiProperty({ format: 'uuid' }) task_id: string;
  @ApiProperty() success: boolean;
  @ApiPropertyOptional({ enum: ['cancelled', 'retried'] }) action?: string;
  @ApiPropertyOptional() status?: string;
  @ApiPropertyOptional() error?: string;
}

export class BulkJobResultDto {
  @ApiProperty({ enum: ['cancel', 'retry'] }) operation: string;
  @ApiProperty() total_tasks: number;
  @ApiProperty() successful: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [BulkJobItemDto] }) results: BulkJobItemDto[];
}

export class JobLogLineDto {
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty() attempt: number;
  @ApiProperty() message: string;
}

export class JobLogsDto {
  @ApiProperty({ format: 'uuid' }) task_id: string;
  @ApiProperty({ type: [JobLogLineDto] }) logs: JobLogLineDto[];
}

export class JobCleanupResultDto {
  @ApiProperty({ example: 42 }) deleted: number;
}

export class BoardSessionDto {
  @ApiProperty({ example: '/admin/queues' }) url: string;
  @ApiProperty({ example: 900 }) expires_in: number;
}
