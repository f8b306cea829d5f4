import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { SystemMetricsService } from './snapshots/system-metrics.service.js';

export const COLLECT_METRICS_JOB = 'system.collect_metrics';

/** The snapshot job type; the handler only calls the service, which holds the logic. */
@Injectable()
export class TelemetryJobs implements OnModuleInit {
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
        'sockets, API traffic, agents and tasks), stores a snapshot and sends metrics_update to room metrics',
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
