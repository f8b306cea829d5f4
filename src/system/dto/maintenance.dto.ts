import { ApiProperty } from '@nestjs/swagger';
import { QueryInt } from '../../common/validation/decorators.js';

export class MaintenanceCleanupQuery {
  @QueryInt({
    minimum: 0,
    maximum: 3650,
    default: 30,
    description:
      'Delete what is older than this many days (finished jobs, metric snapshots, API metrics, agent logs); events go past EVENT_RETENTION_DAYS',
  })
  days_to_keep: number = 30;
}

export class MaintenanceCleanupResultDto {
  @ApiProperty({ example: 'Cleanup completed' }) message: string;
  @ApiProperty({ description: 'Rows actually deleted, every kind of data together' })
  deleted_records: number;
  @ApiProperty({ description: 'Metric snapshots left (the original counted these)' })
  remaining_records: number;
  @ApiProperty({ format: 'date-time', description: 'Older data was deleted' }) cutoff_date: string;
  @ApiProperty({
    format: 'date-time',
    description: 'Events are kept EVENT_RETENTION_DAYS, whatever days_to_keep says',
  })
  events_cutoff_date: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Rows deleted per kind of data (the retention policies of system.cleanup)',
    example: {
      background_tasks: 12,
      events: 340,
      metric_snapshots: 2880,
      api_metrics: 410,
      agent_logs: 95,
    },
  })
  deleted: Record<string, number>;
}
