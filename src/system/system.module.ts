import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { FilesModule } from '../files/files.module.js';
import { HealthModule } from '../health/health.module.js';
import { AnalyticsQuery } from './analytics/analytics.query.js';
import { AnalyticsService } from './analytics/analytics.service.js';
import { ApiMetricsService } from './api-metrics/api-metrics.service.js';
import { BackupService } from './backup/backup.service.js';
import { BackupsQuery } from './backup/backups.query.js';
import { SystemMetricsEntity } from './entities/system-metrics.entity.js';
import { SystemHealthService } from './health/system-health.service.js';
import { MaintenanceService } from './maintenance.service.js';
import { LiveMetricsService } from './measure/live-metrics.service.js';
import { ProcessSampler } from './measure/process-sampler.service.js';
import { QueueInspector } from './measure/queue-inspector.service.js';
import { MetricsCoreModule } from './metrics-core.module.js';
import { PrometheusCollectors } from './prometheus/prometheus-collectors.service.js';
import { PrometheusController } from './prometheus/prometheus.controller.js';
import { SystemRetention } from './retention/system-retention.js';
import { SnapshotsRepository } from './snapshots/snapshots.repository.js';
import { SystemMetricsService } from './snapshots/system-metrics.service.js';
import { SystemV1Controller } from './system-v1.controller.js';
import { SystemController } from './system.controller.js';
import { SystemJobs } from './system.jobs.js';
import { WorkloadQuery } from './workload/workload.query.js';
import { WorkloadService } from './workload/workload.service.js';

/**
 * Measured system metrics and snapshots, API metrics, deep health, Prometheus,
 * analytics from stored data, backups, retention of telemetry, and the v1 system routes.
 */
@Module({
  imports: [
    MetricsCoreModule,
    TypeOrmModule.forFeature([SystemMetricsEntity]),
    HealthModule,
    AgentsModule,
    FilesModule,
  ],
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
    WorkloadQuery,
    WorkloadService,
    AnalyticsQuery,
    AnalyticsService,
    BackupsQuery,
    BackupService,
    SystemRetention,
    SystemJobs,
  ],
  exports: [SystemMetricsService, ApiMetricsService, MaintenanceService, LiveMetricsService],
})
export class SystemModule {}
