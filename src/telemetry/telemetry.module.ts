import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { FilesModule } from '../files/files.module.js';
import { HealthModule } from '../health/health.module.js';
import { ApiMetricsRecorder } from './api-metrics/api-metrics.recorder.js';
import { ApiMetricsRepository } from './api-metrics/api-metrics.repository.js';
import { ApiMetricsService } from './api-metrics/api-metrics.service.js';
import { SystemMetricsEntity } from './entities/system-metrics.entity.js';
import { LiveMetricsService } from './measure/live-metrics.service.js';
import { ProcessSampler } from './measure/process-sampler.service.js';
import { PrometheusCollectors } from './prometheus/prometheus-collectors.service.js';
import { PrometheusController } from './prometheus/prometheus.controller.js';
import { SnapshotsRepository } from './snapshots/snapshots.repository.js';
import { SystemMetricsService } from './snapshots/system-metrics.service.js';
import { TelemetryJobs } from './telemetry.jobs.js';
import { TelemetryRetention } from './telemetry-retention.js';
import { WorkloadQuery } from './workload/workload.query.js';
import { WorkloadService } from './workload/workload.service.js';

/**
 * What the service measures of itself: live figures (`measure/`), the API traffic
 * (`api-metrics/`, recorded by the middleware app.factory mounts), stored snapshots
 * (`snapshots/`, the `system.collect_metrics` job), agent/task/workflow counts
 * (`workload/`), the Prometheus collectors and `/metrics`, and how long it is all kept.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([SystemMetricsEntity]),
    HealthModule,
    AgentsModule,
    FilesModule,
  ],
  controllers: [PrometheusController],
  providers: [
    ApiMetricsRepository,
    ApiMetricsRecorder,
    ApiMetricsService,
    ProcessSampler,
    LiveMetricsService,
    SnapshotsRepository,
    SystemMetricsService,
    PrometheusCollectors,
    WorkloadQuery,
    WorkloadService,
    TelemetryRetention,
    TelemetryJobs,
  ],
  exports: [
    ApiMetricsRecorder,
    ApiMetricsService,
    LiveMetricsService,
    SystemMetricsService,
    WorkloadService,
  ],
})
export class TelemetryModule {}
