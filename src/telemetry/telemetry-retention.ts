import { Injectable, OnModuleInit } from '@nestjs/common';
import { AgentLogsService } from '../agents/agent-logs.service.js';
import { RetentionRegistry } from '../jobs/retention.service.js';
import { ApiMetricsRepository } from './api-metrics/api-metrics.repository.js';
import { SnapshotsRepository } from './snapshots/snapshots.repository.js';

/** Names under which `system.cleanup` and v1 maintenance report their counts. */
const TELEMETRY_RETENTION = {
  snapshots: 'metric_snapshots',
  apiMetrics: 'api_metrics',
  agentLogs: 'agent_logs',
} as const;

/**
 * The telemetry kept only for a while, registered with the job system's retention
 * registry: `system.cleanup` and v1 `POST /system/maintenance/cleanup` purge all of
 * it, older than the age they are given, batch by batch.
 */
@Injectable()
export class TelemetryRetention implements OnModuleInit {
  constructor(
    private readonly registry: RetentionRegistry,
    private readonly snapshots: SnapshotsRepository,
    private readonly apiMetrics: ApiMetricsRepository,
    private readonly agentLogs: AgentLogsService,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      name: TELEMETRY_RETENTION.snapshots,
      purgeBatch: (days, limit, within) => this.snapshots.deleteOlderThan(days, limit, within),
    });
    this.registry.register({
      name: TELEMETRY_RETENTION.apiMetrics,
      purgeBatch: (days, limit, within) => this.apiMetrics.deleteOlderThan(days, limit, within),
    });
    this.registry.register({
      name: TELEMETRY_RETENTION.agentLogs,
      purgeBatch: (days, limit, within) => this.agentLogs.deleteLogsOlderThan(days, limit, within),
    });
  }
}
