import { Injectable } from '@nestjs/common';
import { ApiMetricsService } from '../telemetry/api-metrics/api-metrics.service.js';
import type { AnalyticsReportDto } from './dto/analytics.dto.js';
import { TimeRange, timeWindow } from '../common/time-range.js';
import { WorkloadService } from '../telemetry/workload/workload.service.js';
import { AnalyticsQuery, RUN_ITEMS, TASK_ITEMS } from './analytics.query.js';
import {
  toAgentAnalytics,
  toApiUsage,
  toJobAnalytics,
  toUsagePatterns,
  toWorkItemAnalytics,
} from './analytics.js';

/**
 * Analytics over a time range, computed from what is stored: tasks (throughput,
 * success and durations per bucket), agents (utilisation, top agents), job records,
 * the API metrics and the hours of the day they cluster in. Nothing is estimated:
 * an empty database gives zeros and empty lists.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly query: AnalyticsQuery,
    private readonly workload: WorkloadService,
    private readonly apiMetrics: ApiMetricsService,
  ) {}

  async report(range: TimeRange, signal?: AbortSignal): Promise<AnalyticsReportDto> {
    const window = timeWindow(range);
    const [summary, buckets, runSummary, runBuckets, statuses, agentTotals, topAgents] =
      await Promise.all([
        this.query.workItems(TASK_ITEMS, window),
        this.query.workItemBuckets(TASK_ITEMS, window),
        this.query.workItems(RUN_ITEMS, window),
        this.query.workItemBuckets(RUN_ITEMS, window),
        this.workload.agentsByStatus(),
        this.query.agentTotals(window),
        this.query.topAgents(window),
      ]);
    // A job run stops between the two halves when cancelled.
    signal?.throwIfAborted();
    const [submitted, jobs, api, apiHours, taskHours] = await Promise.all([
      this.query.jobsSubmitted(window),
      this.query.jobsFinished(window),
      this.apiMetrics.usage(window),
      this.apiMetrics.requestsByHour(window),
      this.query.taskHours(window),
    ]);
    return {
      time_range: range,
      since: window.since.toISOString(),
      until: window.until.toISOString(),
      bucket_seconds: window.bucketMs / 1000,
      tasks: toWorkItemAnalytics(window, summary, buckets),
      workflow_runs: toWorkItemAnalytics(window, runSummary, runBuckets),
      agents: toAgentAnalytics(statuses, agentTotals, topAgents),
      jobs: toJobAnalytics(submitted, jobs),
      api: toApiUsage(api.totals, api.routes),
      usage: toUsagePatterns([...taskHours, ...apiHours]),
    };
  }
}
