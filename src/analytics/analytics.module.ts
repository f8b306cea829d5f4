import { Module } from '@nestjs/common';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { AnalyticsJobs } from './analytics.jobs.js';
import { AnalyticsQuery } from './analytics.query.js';
import { AnalyticsService } from './analytics.service.js';

/** Figures over a time range computed from stored data (route and `system.analyze_metrics`). */
@Module({
  imports: [TelemetryModule],
  providers: [AnalyticsQuery, AnalyticsService, AnalyticsJobs],
  exports: [AnalyticsService],
})
export class AnalyticsModule {}
