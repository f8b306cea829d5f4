import { ApiProperty } from '@nestjs/swagger';
import { TIME_RANGES, TimeRange } from '../../common/time-range.js';
import { EnumField } from '../../common/validation/fields.js';

export class TimeRangeQuery {
  @EnumField(TIME_RANGES, 'TimeRange', { optional: true, doc: { default: '24h' } })
  time_range: TimeRange = '24h';
}

const nullableMs = { type: Number, nullable: true, description: 'ms; null without traffic' };

export class LatencyFiguresDto {
  @ApiProperty(nullableMs) avg: number | null;
  @ApiProperty(nullableMs) min: number | null;
  @ApiProperty(nullableMs) p50: number | null;
  @ApiProperty(nullableMs) p95: number | null;
  @ApiProperty(nullableMs) p99: number | null;
  @ApiProperty(nullableMs) max: number | null;
}

export class TrafficFiguresDto {
  @ApiProperty() count: number;
  @ApiProperty({ description: 'Answers with status 4xx or 5xx' }) errors: number;
  @ApiProperty({ description: 'errors / count in % (0-100)' }) error_rate: number;
  @ApiProperty() client_errors: number;
  @ApiProperty() server_errors: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { '2xx': 40, '3xx': 0, '4xx': 2, '5xx': 0 },
  })
  status_classes: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Requests by credential kind: user, api_key, agent_key, anonymous, none',
    example: { api_key: 30, user: 12 },
  })
  by_credential: Record<string, number>;
  @ApiProperty({
    type: LatencyFiguresDto,
    description: 'From the merged latency histograms (log-scale buckets, about 19 % wide)',
  })
  latency_ms: LatencyFiguresDto;
}

export class RouteFiguresDto extends TrafficFiguresDto {
  @ApiProperty({ example: 'GET' }) method: string;
  @ApiProperty({ example: '/api/v2/agents/:id', description: 'Route template' }) route: string;
}

export class ApiTotalsDto extends TrafficFiguresDto {
  @ApiProperty() requests_per_minute: number;
}

export class TimelinePointDto {
  @ApiProperty({ format: 'date-time', description: 'Bucket start' }) timestamp: string;
  @ApiProperty() count: number;
  @ApiProperty() errors: number;
}

export class ApiMetricsReportDto {
  @ApiProperty({ enum: TIME_RANGES, enumName: 'TimeRange' }) time_range: TimeRange;
  @ApiProperty({ format: 'date-time', description: 'Start of the first bucket' }) since: string;
  @ApiProperty({ format: 'date-time' }) until: string;
  @ApiProperty() bucket_seconds: number;
  @ApiProperty({ type: ApiTotalsDto }) totals: ApiTotalsDto;
  @ApiProperty({ type: [RouteFiguresDto], description: 'Busiest first' }) routes: RouteFiguresDto[];
  @ApiProperty({ type: [TimelinePointDto] }) timeline: TimelinePointDto[];
}

export class RecentApiFiguresDto {
  @ApiProperty({ description: 'The figures cover this many seconds, ending now' })
  window_seconds: number;
  @ApiProperty() count: number;
  @ApiProperty() errors: number;
  @ApiProperty() error_rate: number;
  @ApiProperty() client_errors: number;
  @ApiProperty() server_errors: number;
  @ApiProperty() requests_per_minute: number;
  @ApiProperty({ type: LatencyFiguresDto }) latency_ms: LatencyFiguresDto;
}
