import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class CleanupQuery {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 3650,
    default: 30,
    description: 'Keep this many days; events are kept at least EVENT_RETENTION_DAYS',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3650)
  days_to_keep: number = 30;
}

export class CleanupCountsDto {
  @ApiProperty() metric_snapshots: number;
  @ApiProperty() api_metrics: number;
  @ApiProperty() events: number;
}

export class CleanupResultDto {
  @ApiProperty({ example: 'Cleanup completed' }) message: string;
  @ApiProperty({ description: 'Rows actually deleted, all tables' }) deleted_records: number;
  @ApiProperty() remaining_records: number;
  @ApiProperty({ format: 'date-time' }) cutoff_date: string;
  @ApiProperty({
    format: 'date-time',
    description: 'Events are kept at least EVENT_RETENTION_DAYS',
  })
  events_cutoff_date: string;
  @ApiProperty({ type: CleanupCountsDto }) deleted: CleanupCountsDto;
  @ApiProperty({ type: CleanupCountsDto }) remaining: CleanupCountsDto;
}
