import { Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventStore } from '../realtime/event-store.service.js';
import { ApiMetricsService } from './api-metrics/api-metrics.service.js';
import type { CleanupResultDto } from './dto/maintenance.dto.js';
import { SystemMetricsService } from './snapshots/system-metrics.service.js';

const DAY_MS = 86_400_000;

/**
 * v1 maintenance cleanup: removes what is older than `daysToKeep` and says exactly
 * how many rows went. Events are kept at least EVENT_RETENTION_DAYS (replay needs them).
 */
@Injectable()
export class MaintenanceService {
  constructor(
    private readonly snapshots: SystemMetricsService,
    private readonly apiMetrics: ApiMetricsService,
    private readonly events: EventStore,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async cleanup(daysToKeep: number): Promise<CleanupResultDto> {
    const eventDays = Math.max(daysToKeep, this.config.eventRetentionDays);
    const now = Date.now();
    const deleted = {
      metric_snapshots: await this.snapshots.deleteSnapshotsOlderThan(daysToKeep),
      api_metrics: await this.apiMetrics.deleteApiMetricsOlderThan(daysToKeep),
      events: await this.events.deleteOlderThan(eventDays),
    };
    const [snapshots, apiMetrics, events] = await Promise.all([
      this.snapshots.countSnapshots(),
      this.apiMetrics.countRows(),
      this.events.count(),
    ]);
    const remaining = { metric_snapshots: snapshots, api_metrics: apiMetrics, events };
    return {
      message: 'Cleanup completed',
      deleted_records: deleted.metric_snapshots + deleted.api_metrics + deleted.events,
      remaining_records: snapshots + apiMetrics + events,
      cutoff_date: new Date(now - daysToKeep * DAY_MS).toISOString(),
      events_cutoff_date: new Date(now - eventDays * DAY_MS).toISOString(),
      deleted,
      remaining,
    };
  }
}
