import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry.service.js';

/** Job durations (seconds): 10 ms … 30 min. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800];

/**
 * What the job runtime reports when a job ends: `observe(type, outcome, ms)` feeds
 * the Prometheus job histogram and counter.
 */
@Injectable()
export class JobMetrics {
  private readonly duration: Histogram<'type' | 'outcome'>;
  private readonly total: Counter<'type' | 'outcome'>;

  constructor(metrics: MetricsRegistry) {
    this.duration = new Histogram({
      name: 'subforge_job_duration_seconds',
      help: 'Background job run time by job type and outcome',
      labelNames: ['type', 'outcome'],
      buckets: JOB_BUCKETS,
      registers: [metrics.registry],
    });
    this.total = new Counter({
      name: 'subforge_jobs_total',
      help: 'Background jobs finished, by job type and outcome',
      labelNames: ['type', 'outcome'],
      registers: [metrics.registry],
    });
  }

  /** `outcome`: completed, failed, cancelled, timed_out, ... */
  observe(type: string, outcome: string, durationMs: number): void {
    this.duration.observe({ type, outcome }, Math.max(0, durationMs) / 1000);
    this.total.inc({ type, outcome });
  }
}
