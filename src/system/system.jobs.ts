import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { AnalyticsService } from './analytics/analytics.service.js';
import { BACKUP_TYPES } from './backup/backup-format.js';
import { BackupService } from './backup/backup.service.js';
import type { AnalyticsReportDto } from './dto/analytics.dto.js';
import { AnalyzeMetricsParams, BackupParams, type BackupResultDto } from './dto/backup.dto.js';
import { SystemMetricsService } from './snapshots/system-metrics.service.js';
import { TIME_RANGES } from './time-range.js';

export const COLLECT_METRICS_JOB = 'system.collect_metrics';
export const ANALYZE_METRICS_JOB = 'system.analyze_metrics';
export const BACKUP_JOB = 'system.backup';

/** The system's job types; handlers only call the services, which hold the logic. */
@Injectable()
export class SystemJobs implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly metrics: SystemMetricsService,
    private readonly analytics: AnalyticsService,
    private readonly backups: BackupService,
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

    this.catalog.register<BackupParams, BackupResultDto>({
      name: BACKUP_JOB,
      description:
        'Exports users (without secrets), agents and their status history, tasks and dependencies, ' +
        "and files' metadata from one consistent snapshot as gzipped NDJSON into the file store " +
        '(category backups). incremental: only rows changed since the latest stored backup. ' +
        'Restore with `npm run restore -- <file>`',
      queue: QUEUES.system,
      params: BackupParams,
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { backup_type: { type: 'string', enum: [...BACKUP_TYPES], default: 'full' } },
      },
      role: 'admin',
      // A rerun writes a new file from a new snapshot: safe to retry once.
      attempts: 2,
      backoffMs: 30_000,
      timeoutMs: 3_600_000,
      handler: ({ params, signal, progress, jobId }) =>
        this.backups.backup(params.backup_type ?? 'full', { signal, progress, jobId }),
    });
  }
}
