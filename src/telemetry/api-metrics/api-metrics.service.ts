import { Injectable } from '@nestjs/common';
import { TimeRange, TimeWindow, timeWindow } from '../../common/time-range.js';
import { ApiMetricsRecorder } from './api-metrics.recorder.js';
import { ApiMetricsRepository } from './api-metrics.repository.js';
import type { ApiMetricsReportDto, RecentApiFiguresDto } from '../dto/api-metrics.dto.js';
import { buildReport, summarise } from './report.js';

/** The window of "current" API figures in system metrics: the last few whole minutes and this one. */
export const RECENT_MINUTES = 5;

/** API traffic over time, read from the stored per-minute aggregates of every instance. */
@Injectable()
export class ApiMetricsService {
  constructor(
    private readonly recorder: ApiMetricsRecorder,
    private readonly repository: ApiMetricsRepository,
  ) {}

  /** Per route and overall over `range`; this instance's latest requests are written first. */
  async report(range: TimeRange): Promise<ApiMetricsReportDto> {
    await this.recorder.flush();
    const window = timeWindow(range);
    const [aggregates, buckets, timeline] = await Promise.all([
      this.repository.aggregates(window.since),
      this.repository.histograms(window.since),
      this.repository.timeline(window.since, window.bucketMs),
    ]);
    return buildReport(window, aggregates, buckets, timeline);
  }

  /** Overall and per-route figures over a window (this instance's latest requests written first). */
  async usage(window: TimeWindow): Promise<ReturnType<typeof summarise>> {
    await this.recorder.flush();
    const [aggregates, buckets] = await Promise.all([
      this.repository.aggregates(window.since),
      this.repository.histograms(window.since),
    ]);
    return summarise(aggregates, buckets, window.until.getTime() - window.since.getTime());
  }

  /** Requests per hour of the day (UTC) over a window. */
  requestsByHour(window: TimeWindow): Promise<{ hour: number; api_requests: number }[]> {
    return this.repository.requestsByHour(window.since);
  }

  /** Requests per minute, error rate and latency over the last few minutes, cluster-wide. */
  async recent(now = new Date()): Promise<RecentApiFiguresDto> {
    await this.recorder.flush();
    const since = new Date(
      Math.floor(now.getTime() / 60_000) * 60_000 - (RECENT_MINUTES - 1) * 60_000,
    );
    const [aggregates, buckets] = await Promise.all([
      this.repository.aggregates(since),
      this.repository.histograms(since),
    ]);
    const windowMs = now.getTime() - since.getTime();
    const {
      status_classes: _classes,
      by_credential: _credentials,
      ...totals
    } = summarise(aggregates, buckets, windowMs).totals;
    return { window_seconds: Math.round(windowMs / 1000), ...totals };
  }
}
