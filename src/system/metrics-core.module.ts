import { Global, Module } from '@nestjs/common';
import { ApiMetricsRecorder } from './api-metrics/api-metrics.recorder.js';
import { ApiMetricsRepository } from './api-metrics/api-metrics.repository.js';
import { JobMetrics } from './prometheus/job-metrics.service.js';
import { MetricsRegistry } from './prometheus/metrics-registry.service.js';

/**
 * What other modules feed metrics into: the API metrics recorder (fed by the
 * express middleware of api-metrics.middleware.ts, mounted in app.factory.ts so
 * that it sees every request), the Prometheus registry and JobMetrics for the job
 * runtime. Global so that they can reach it.
 */
@Global()
@Module({
  providers: [ApiMetricsRepository, ApiMetricsRecorder, MetricsRegistry, JobMetrics],
  exports: [ApiMetricsRepository, ApiMetricsRecorder, MetricsRegistry, JobMetrics],
})
export class MetricsCoreModule {}
