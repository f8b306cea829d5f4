import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { freemem, hostname, totalmem } from 'node:os';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import type { FieldError } from '../../common/errors/app-errors.js';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig, InjectRuntime, Runtime } from '../../config/config.module.js';
import { FileStore } from '../../files/storage/file-store.js';
import { withTimeout } from '../../common/async.js';
import { SocketHub } from '../../realtime/socket-hub.service.js';
import { SocketStats } from '../../realtime/socket-stats.service.js';
import { RedisService } from '../../redis/redis.service.js';
import { ApiMetricsService } from '../api-metrics/api-metrics.service.js';
import type {
  DatabaseFiguresDto,
  DiskFiguresDto,
  HostFiguresDto,
  ProcessFiguresDto,
  RedisFiguresDto,
  SocketFiguresDto,
  SystemMeasurementDto,
} from '../dto/system-metrics.dto.js';
import { WorkloadService } from '../workload/workload.service.js';
import { ProcessSampler } from './process-sampler.service.js';
import { QueueInspector } from '../../jobs/queue-inspector.service.js';
import { clampPercent, diskUsage, parseRedisInfo, round } from '../../common/resources.js';

/** No section of a measurement waits longer than this for a backing service. */
export const SECTION_TIMEOUT_MS = 1_500;

/** `work`, or a rejection once it has taken longer than a section may. */
function inSectionTime<T>(work: Promise<T>): Promise<T> {
  return withTimeout(work, SECTION_TIMEOUT_MS, `no answer within ${SECTION_TIMEOUT_MS} ms`);
}

/**
 * Measures the system now: this process and its host from the OS, the rest by
 * asking PostgreSQL's pool, Redis, the queues, Socket.IO and the stored API metrics.
 * A section whose source does not answer in time is null and listed in `unavailable`.
 */
@Injectable()
export class LiveMetricsService {
  constructor(
    private readonly sampler: ProcessSampler,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly queues: QueueInspector,
    private readonly hub: SocketHub,
    private readonly socketStats: SocketStats,
    private readonly apiMetrics: ApiMetricsService,
    private readonly workload: WorkloadService,
    private readonly store: FileStore,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  async measure(): Promise<SystemMeasurementDto> {
    const unavailable: FieldError[] = [];
    const section = async <T>(field: string, work: () => Promise<T> | T): Promise<T | null> => {
      try {
        return await inSectionTime(Promise.resolve().then(work));
      } catch (error) {
        unavailable.push({ field, message: (error as Error).message });
        return null;
      }
    };
    const sample = this.sampler.sample();
    const [disk, database, redis, queues, sockets, api, workload] = await Promise.all([
      section('disk', () => this.disk()),
      section('database', () => this.database()),
      section('redis', () => this.redisFigures()),
      section('queues', () => this.queues.depths()),
      this.sockets(unavailable),
      section('api', () => this.apiMetrics.recent()),
      section('workload', () => this.workload.figures()),
    ]);
    return {
      timestamp: new Date().toISOString(),
      instance_id: this.runtime.instanceId,
      role: this.config.role,
      process: this.processFigures(sample),
      host: this.hostFigures(sample),
      disk,
      database,
      redis,
      queues,
      sockets,
      api,
      workload,
      unavailable,
    };
  }

  /** UPLOAD_DIR's file system; with FILE_STORE=s3 the bucket probe (a bucket has no fixed size). */
  private async disk(): Promise<DiskFiguresDto> {
    if (this.config.fileStore === 'local')
      return { store: 'local', ...(await diskUsage(this.config.uploadDir)) };
    const probe = await this.store.check();
    if (probe.status !== 'up') throw new Error(`${probe.location}: ${probe.message}`);
    return {
      store: 's3',
      path: probe.location,
      total_bytes: null,
      available_bytes: null,
      used_bytes: null,
      used_percent: null,
    };
  }

  private processFigures(sample: ReturnType<ProcessSampler['sample']>): ProcessFiguresDto {
    const memory = process.memoryUsage();
    return {
      pid: process.pid,
      uptime_seconds: round(process.uptime(), 1),
      cpu_percent: sample.process_cpu_percent,
      cpu_percent_one_core: sample.process_cpu_percent_one_core,
      memory: {
        rss_bytes: memory.rss,
        heap_used_bytes: memory.heapUsed,
        heap_total_bytes: memory.heapTotal,
        external_bytes: memory.external,
      },
      event_loop: sample.event_loop,
      window_ms: sample.window_ms,
    };
  }

  private hostFigures(sample: ReturnType<ProcessSampler['sample']>): HostFiguresDto {
    const total = totalmem();
    const available = freemem();
    return {
      hostname: hostname(),
      cpus: sample.cpus,
      cpu_percent: sample.host_cpu_percent,
      load_average: sample.load_average,
      load_percent: clampPercent((sample.load_average.one / Math.max(sample.cpus, 1)) * 100),
      memory: {
        total_bytes: total,
        available_bytes: available,
        used_bytes: total - available,
        used_percent: clampPercent(((total - available) / total) * 100),
      },
    };
  }

  /** The pg Pool behind TypeORM: connections in use, idle, and queries waiting for one. */
  private database(): DatabaseFiguresDto {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool | undefined;
    if (!this.dataSource.isInitialized || !pool) throw new Error('the database pool is not open');
    return {
      pool: {
        max: pool.options.max ?? this.config.databasePoolSize,
        total: pool.totalCount,
        in_use: pool.totalCount - pool.idleCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
      },
    };
  }

  private async redisFigures(): Promise<RedisFiguresDto> {
    const [memory, clients] = await Promise.all([
      this.redis.client.info('memory'),
      this.redis.client.info('clients'),
    ]);
    const info = new Map([...parseRedisInfo(memory), ...parseRedisInfo(clients)]);
    const number = (name: string) => Number(info.get(name) ?? 0);
    return {
      used_memory_bytes: number('used_memory'),
      used_memory_peak_bytes: number('used_memory_peak'),
      maxmemory_bytes: number('maxmemory'),
      connected_clients: number('connected_clients'),
      blocked_clients: number('blocked_clients'),
    };
  }

  /** Local connections are always known; the cluster total needs Redis. */
  private async sockets(unavailable: FieldError[]): Promise<SocketFiguresDto> {
    const local = this.hub.localConnections();
    try {
      const instances = await inSectionTime(this.socketStats.instances());
      return {
        local_connections: local,
        cluster_connections: instances.reduce((sum, entry) => sum + entry.connections, 0),
        instances: instances.length,
      };
    } catch (error) {
      unavailable.push({ field: 'sockets', message: (error as Error).message });
      return { local_connections: local, cluster_connections: null, instances: null };
    }
  }
}
