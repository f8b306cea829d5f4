import { Global, Module } from '@nestjs/common';
import { JobMetrics } from './job-metrics.service.js';
import { MetricsRegistry } from './metrics-registry.service.js';

/**
 * The Prometheus registry of this app and the series the lower layers feed (JobMetrics for
 * the job runtime). Global and below every feature module, so that any of them can report
 * without depending on telemetry, which reads them.
 */
@Global()
@Module({
  providers: [MetricsRegistry, JobMetrics],
  exports: [MetricsRegistry, JobMetrics],
})
export class MetricsModule {}
