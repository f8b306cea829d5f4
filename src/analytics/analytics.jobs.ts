import { Injectable, OnModuleInit } from '@nestjs/common';
import { TIME_RANGES } from '../common/time-range.js';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { AnalyticsService } from './analytics.service.js';
import { AnalyzeMetricsParams, type AnalyticsReportDto } from './dto/analytics.dto.js';

export const ANALYZE_METRICS_JOB = 'system.analyze_metrics';

/** The analytics job type; the handler only calls the service, which holds the logic. */
@Injectable()
export class AnalyticsJobs implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly analytics: AnalyticsService,
  ) {}

  onModuleInit(): void {
    this.catalog.register<AnalyzeMetricsParams, AnalyticsReportDto>({
      name: ANALYZE_METRICS_JOB,
      description:
        'Computes the analytics of GET /api/v2/system/analytics over time_range from the stored ' +
        'tasks, agents, jobs and API metrics, and keeps them as the job result',
      queue: QUEUES.system,
      params: AnalyzeMetricsParams,
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { time_range: { type: 'string', enum: [...TIME_RANGES], default: '24h' } },
      },
      attempts: 2,
      backoffMs: 5_000,
      timeoutMs: 300_000,
      handler: async ({ params, signal, progress }) => {
        const report = await this.analytics.report(params.time_range ?? '24h', signal);
        await progress(100, 'analysed');
        return report;
      },
    });
  }
}
