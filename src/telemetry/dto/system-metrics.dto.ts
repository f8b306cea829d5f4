import { ApiProperty } from '@nestjs/swagger';
import { RecentApiFiguresDto } from './api-metrics.dto.js';
import { WorkloadFiguresDto } from './workload.dto.js';

const PROCESS_ROLES = ['api', 'worker', 'all'] as const;

const pct = (description: string) => ({
  type: Number,
  nullable: true,
  description: `${description} (0-100)`,
});

export class ProcessMemoryDto {
  @ApiProperty() rss_bytes: number;
  @ApiProperty() heap_used_bytes: number;
  @ApiProperty() heap_total_bytes: number;
  @ApiProperty() external_bytes: number;
}

export class EventLoopLagDto {
  @ApiProperty({ type: Number, nullable: true }) mean_ms: number | null;
  @ApiProperty({ type: Number, nullable: true }) p50_ms: number | null;
  @ApiProperty({ type: Number, nullable: true }) p99_ms: number | null;
  @ApiProperty({ type: Number, nullable: true }) max_ms: number | null;
}

export class EventLoopDto {
  @ApiProperty(pct('Share of time the event loop was busy')) utilization_percent: number | null;
  @ApiProperty({ type: EventLoopLagDto, description: 'Event-loop delay (perf_hooks)' })
  lag: EventLoopLagDto;
}

export class ProcessFiguresDto {
  @ApiProperty() pid: number;
  @ApiProperty() uptime_seconds: number;
  @ApiProperty(pct('CPU of this process, as a share of the whole host')) cpu_percent: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'CPU of this process, % of one core' })
  cpu_percent_one_core: number | null;
  @ApiProperty({ type: ProcessMemoryDto }) memory: ProcessMemoryDto;
  @ApiProperty({ type: EventLoopDto }) event_loop: EventLoopDto;
  @ApiProperty({ description: 'Rates above cover this span (ms), ending now' }) window_ms: number;
}

export class LoadAverageDto {
  @ApiProperty() one: number;
  @ApiProperty() five: number;
  @ApiProperty() fifteen: number;
}

export class HostMemoryDto {
  @ApiProperty() total_bytes: number;
  @ApiProperty() available_bytes: number;
  @ApiProperty() used_bytes: number;
  @ApiProperty(pct('Used memory')) used_percent: number;
}

export class HostFiguresDto {
  @ApiProperty() hostname: string;
  @ApiProperty() cpus: number;
  @ApiProperty(pct('Busy share of all cores')) cpu_percent: number | null;
  @ApiProperty({ type: LoadAverageDto }) load_average: LoadAverageDto;
  @ApiProperty(pct('1-minute load average per core, capped at 100')) load_percent: number;
  @ApiProperty({ type: HostMemoryDto }) memory: HostMemoryDto;
}

/** The file store's room: UPLOAD_DIR's file system, or (FILE_STORE=s3) the bucket probe, which has no sizes. */
export class DiskFiguresDto {
  @ApiProperty({ enum: ['local', 's3'], enumName: 'FileStoreKind', description: 'FILE_STORE' })
  store: 'local' | 's3';
  @ApiProperty({ description: 'UPLOAD_DIR, or s3://<bucket>/<prefix>' }) path: string;
  @ApiProperty({ type: Number, nullable: true }) total_bytes: number | null;
  @ApiProperty({ type: Number, nullable: true }) available_bytes: number | null;
  @ApiProperty({ type: Number, nullable: true }) used_bytes: number | null;
  @ApiProperty(pct('Used, as df counts it')) used_percent: number | null;
}

export class PoolFiguresDto {
  @ApiProperty({ description: 'Configured size (DATABASE_POOL_SIZE)' }) max: number;
  @ApiProperty() total: number;
  @ApiProperty() in_use: number;
  @ApiProperty() idle: number;
  @ApiProperty({ description: 'Queries waiting for a connection' }) waiting: number;
}

export class DatabaseFiguresDto {
  @ApiProperty({ type: PoolFiguresDto }) pool: PoolFiguresDto;
}

export class RedisFiguresDto {
  @ApiProperty() used_memory_bytes: number;
  @ApiProperty() used_memory_peak_bytes: number;
  @ApiProperty({ description: '0 = no limit' }) maxmemory_bytes: number;
  @ApiProperty() connected_clients: number;
  @ApiProperty() blocked_clients: number;
}

export class QueueDepthDto {
  @ApiProperty() name: string;
  @ApiProperty() waiting: number;
  @ApiProperty() active: number;
  @ApiProperty() delayed: number;
  @ApiProperty() failed: number;
  @ApiProperty() completed: number;
  @ApiProperty() paused: number;
  @ApiProperty({ description: 'Jobs not started yet: waiting + delayed + paused' }) depth: number;
}

export class SocketFiguresDto {
  @ApiProperty({ description: 'Socket.IO connections of this process (both namespaces)' })
  local_connections: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Connections of every live instance (as reported to Redis within the last 10 s)',
  })
  cluster_connections: number | null;
  @ApiProperty({ type: Number, nullable: true }) instances: number | null;
}

export class UnavailableSectionDto {
  @ApiProperty({ example: 'redis' }) field: string;
  @ApiProperty() message: string;
}

/** Everything measured at one moment; a section that could not be measured is null and listed in `unavailable`. */
export class SystemMeasurementDto {
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ description: 'The process that measured' }) instance_id: string;
  @ApiProperty({ enum: PROCESS_ROLES, enumName: 'ProcessRole' }) role: string;
  @ApiProperty({ type: ProcessFiguresDto }) process: ProcessFiguresDto;
  @ApiProperty({ type: HostFiguresDto }) host: HostFiguresDto;
  @ApiProperty({ type: DiskFiguresDto, nullable: true }) disk: DiskFiguresDto | null;
  @ApiProperty({ type: DatabaseFiguresDto, nullable: true }) database: DatabaseFiguresDto | null;
  @ApiProperty({ type: RedisFiguresDto, nullable: true }) redis: RedisFiguresDto | null;
  @ApiProperty({ type: [QueueDepthDto], nullable: true }) queues: QueueDepthDto[] | null;
  @ApiProperty({ type: SocketFiguresDto, nullable: true }) sockets: SocketFiguresDto | null;
  @ApiProperty({
    type: RecentApiFiguresDto,
    nullable: true,
    description: 'API traffic of every instance over the last few minutes',
  })
  api: RecentApiFiguresDto | null;
  @ApiProperty({
    type: WorkloadFiguresDto,
    nullable: true,
    description: 'Agents and tasks by status, counted from the database',
  })
  workload: WorkloadFiguresDto | null;
  @ApiProperty({ type: [UnavailableSectionDto] }) unavailable: UnavailableSectionDto[];
}
