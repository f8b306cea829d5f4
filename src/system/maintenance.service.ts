import { Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { RetentionRegistry } from '../jobs/retention.service.js';
import type { MaintenanceCleanupResultDto } from './dto/maintenance.dto.js';
import { SystemMetricsService } from '../telemetry/snapshots/system-metrics.service.js';

const DAY_MS = 86_400_000;

/**
 * v1 maintenance cleanup: the retention policies `system.cleanup` runs (job records,
 * events, metric snapshots, API metrics, agent logs, and whatever modules add), each
 * batch deleted and counted in its own transaction, so `deleted_records` is exact.
 */
@Injectable()
export class MaintenanceService {
  constructor(
    private readonly retention: RetentionRegistry,
    private readonly snapshots: SystemMetricsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async cleanup(daysToKeep: number): Promise<MaintenanceCleanupResultDto> {
    const now = Date.now();
    const deleted = await this.retention.purgeAll(daysToKeep);
    return {
      message: 'Cleanup completed',
      deleted_records: Object.values(deleted).reduce((sum, count) => sum + count, 0),
      remaining_records: await this.snapshots.countSnapshots(),
      cutoff_date: new Date(now - daysToKeep * DAY_MS).toISOString(),
      events_cutoff_date: new Date(now - this.config.eventRetentionDays * DAY_MS).toISOString(),
      deleted,
    };
  }
}
