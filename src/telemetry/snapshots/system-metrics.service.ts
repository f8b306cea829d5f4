import { Injectable } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig, InjectRuntime, Runtime } from '../../config/config.module.js';
import { EventBus } from '../../realtime/event-bus.service.js';
import {
  MetricsHistoryQuery,
  ReportedMetricsDto,
  SnapshotResponseDto,
  StoredSnapshot,
  toSnapshotResponse,
  toV1MetricsResponse,
  V1MetricsResponseDto,
} from '../dto/snapshot.dto.js';
import type { V1StatusResponseDto } from '../dto/v1-status.dto.js';
import type { SnapshotSource, SystemMetricsEntity } from '../entities/system-metrics.entity.js';
import { SystemHealthService } from '../../health/system-health.service.js';
import { LiveMetricsService } from '../measure/live-metrics.service.js';
import { agentOverview, taskOverview, workflowOverview } from '../workload/workload.js';
import { formatUptime } from './uptime.js';
import { SnapshotsRepository } from './snapshots.repository.js';

/**
 * Stored system metrics: the snapshot job (`system.collect_metrics`), the v1 reads
 * of current and past snapshots, client-reported figures and retention.
 */
@Injectable()
export class SystemMetricsService {
  private onDemand?: Promise<SystemMetricsEntity>;

  constructor(
    private readonly snapshots: SnapshotsRepository,
    private readonly live: LiveMetricsService,
    private readonly health: SystemHealthService,
    private readonly events: EventBus,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  /** Measures, stores a snapshot and broadcasts it (`metrics_update` to room `metrics`). */
  async collectSnapshot(signal?: AbortSignal): Promise<SnapshotResponseDto> {
    const row = await this.take('collector', null, signal);
    const snapshot = toSnapshotResponse(row);
    await this.events.publish('metrics.snapshot', { metrics: { ...snapshot } });
    return snapshot;
  }

  /** The latest snapshot while it is fresh (one interval), else a new one measured now. */
  async current(): Promise<V1MetricsResponseDto> {
    const latest = await this.snapshots.latest();
    const fresh =
      latest &&
      Date.now() - latest.recordedAt.getTime() <= this.config.metricsIntervalSeconds * 1000;
    if (fresh) return toV1MetricsResponse(latest);
    // Concurrent readers share one measurement rather than each storing a snapshot.
    this.onDemand ??= this.take('on_demand', null).finally(() => (this.onDemand = undefined));
    return toV1MetricsResponse(await this.onDemand);
  }

  async history(query: MetricsHistoryQuery): Promise<V1MetricsResponseDto[]> {
    const rows = await this.snapshots.history({
      since: query.start_date ? new Date(query.start_date) : undefined,
      until: query.end_date ? new Date(query.end_date) : undefined,
      limit: query.limit,
    });
    return rows.map(toV1MetricsResponse);
  }

  /** v1 POST: a snapshot measured now, with the client's figures kept apart as reported ones. */
  async recordReported(dto: ReportedMetricsDto): Promise<V1MetricsResponseDto> {
    const row = await this.take('reported', { ...dto });
    await this.events.publish('metrics.snapshot', { metrics: { ...toSnapshotResponse(row) } });
    return toV1MetricsResponse(row);
  }

  /** v1 `GET /system/status`. */
  async status(): Promise<V1StatusResponseDto> {
    const measurement = await this.live.measure();
    const uptime = process.uptime();
    return {
      status: 'running',
      agents: measurement.workload ? agentOverview(measurement.workload) : null,
      tasks: measurement.workload ? taskOverview(measurement.workload) : null,
      workflows: measurement.workload ? workflowOverview(measurement.workload) : null,
      uptime: formatUptime(uptime),
      uptime_seconds: Math.round(uptime),
      connected_clients:
        measurement.sockets?.cluster_connections ?? measurement.sockets?.local_connections ?? 0,
      instance_id: this.runtime.instanceId,
      last_updated: measurement.timestamp,
    };
  }

  countSnapshots(): Promise<number> {
    return this.snapshots.count();
  }

  private async take(
    source: SnapshotSource,
    reported: Record<string, unknown> | null,
    signal?: AbortSignal,
  ): Promise<SystemMetricsEntity> {
    const [measurement, health] = await Promise.all([this.live.measure(), this.health.summary()]);
    signal?.throwIfAborted();
    const snapshot: StoredSnapshot = { ...measurement, health: healthSummary(health) };
    return this.snapshots.insert({
      recordedAt: new Date(measurement.timestamp),
      source,
      instanceId: this.runtime.instanceId,
      cpuPercent: measurement.host.cpu_percent,
      memoryPercent: measurement.host.memory.used_percent,
      diskPercent: measurement.disk?.used_percent ?? null,
      loadPercent: measurement.host.load_percent,
      connections:
        measurement.sockets?.cluster_connections ?? measurement.sockets?.local_connections ?? null,
      requestsPerMinute: measurement.api?.requests_per_minute ?? null,
      errorRate: measurement.api?.error_rate ?? null,
      latencyP95Ms: measurement.api?.latency_ms.p95 ?? null,
      isHealthy: health.status === 'ok',
      snapshot: snapshot as unknown as Record<string, unknown>,
      reported,
    });
  }
}

function healthSummary(result: HealthCheckResult): StoredSnapshot['health'] {
  return {
    status: result.status,
    checks: Object.fromEntries(
      Object.entries(result.details).map(([name, detail]) => [name, detail.status]),
    ),
  };
}
