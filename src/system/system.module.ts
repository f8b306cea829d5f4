import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { HealthModule } from '../health/health.module.js';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { ApiMetricsService } from './api-metrics/api-metrics.service.js';
import { SystemMetricsEntity } from './entities/system-metrics.entity.js';
import { SystemHealthService } from './health/system-health.service.js';
import { MaintenanceService } from './maintenance.service.js';
import { LiveMetricsService } from './measure/live-metrics.service.js';
import { ProcessSampler } from './measure/process-sampler.service.js';
import { QueueInspector } from './measure/queue-inspector.service.js';
import { MetricsCoreModule } from './metrics-core.module.js';
import { PrometheusCollectors } from './prometheus/prometheus-collectors.service.js';
import { PrometheusController } from './prometheus/prometheus.controller.js';
import { SnapshotsRepository } from './snapshots/snapshots.repository.js';
import { SystemMetricsService } from './snapshots/system-metrics.service.js';
import { SystemV1Controller } from './system-v1.controller.js';
import { SystemController } from './system.controller.js';

export const COLLECT_METRICS_JOB = 'system.collect_metrics';

/**
 * Measured system metrics and snapshots, API metrics, deep health, Prometheus and
 * the v1 system routes.
 */
@Module({
  imports: [MetricsCoreModule, TypeOrmModule.forFeature([SystemMetricsEntity]), HealthModule],
  controllers: [SystemController, SystemV1Controller, PrometheusController],
  providers: [
    QueueInspector,
    ProcessSampler,
    LiveMetricsService,
    ApiMetricsService,
    SnapshotsRepository,
    SystemMetricsService,
    SystemHealthService,
    MaintenanceService,
    PrometheusCollectors,
  ],
  exports: [SystemMetricsService, ApiMetricsService, MaintenanceService, LiveMetricsService],
})
export class SystemModule implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly metrics: SystemMetricsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.catalog.register({
      name: COLLECT_METRICS_JOB,
      description:
        'Measures the system (CPU, memory, disk, event loop, database pool, Redis, queues, ' +
        'sockets, API traffic), stores a snapshot and sends metrics_update to room metrics',
      queue: QUEUES.system,
      schema: { type: 'object', properties: {}, additionalProperties: false },
      priority: 'low',
      attempts: 1,
      timeoutMs: 60_000,
      handler: async ({ signal }) => {
        const snapshot = await this.metrics.collectSnapshot(signal);
        return { snapshot_id: snapshot.id, recorded_at: snapshot.recorded_at };
      },
    });
    this.catalog.schedule({
      name: COLLECT_METRICS_JOB,
      everyMs: this.config.metricsIntervalSeconds * 1000,
    });
  }
}
