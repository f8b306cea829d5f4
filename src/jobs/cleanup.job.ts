import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventStore } from '../realtime/event-store.service.js';
import { JobCatalog } from './job-catalog.service.js';
import { JobRecordsRepository } from './job-records.repository.js';
import type { JobContext } from './job-types.js';
import { QUEUES } from './queues.js';
import { RetentionRegistry } from './retention.service.js';
import { IntField } from '../common/validation/fields.js';

export class CleanupParams {
  @IntField({ min: 0, max: 3650 })
  older_than_days: number;
}

/** The service purges what is past its retention every hour. */
const SCHEDULED_RETENTION_DAYS = 30;

export interface CleanupResult {
  older_than_days: number;
  deleted: Record<string, number>;
  total_deleted: number;
}

/**
 * `system.cleanup`: finished job records older than `older_than_days` and every
 * other kind of data past its retention (events only past EVENT_RETENTION_DAYS).
 * Resumable: counts are checkpointed with each batch.
 */
@Injectable()
export class CleanupJob implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly retention: RetentionRegistry,
    private readonly records: JobRecordsRepository,
    private readonly events: EventStore,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.retention.register({
      name: 'background_tasks',
      purgeBatch: (days, limit, within) =>
        this.records.deleteFinishedOlderThan(days, limit, within),
    });
    this.retention.register({
      name: 'events',
      purgeBatch: (_days, limit, within) =>
        this.events.deleteOlderThan(this.config.eventRetentionDays, limit, within),
    });
    this.catalog.register<CleanupParams, CleanupResult>({
      name: 'system.cleanup',
      description:
        'Deletes finished job records older than older_than_days and other data past its retention (events past EVENT_RETENTION_DAYS); returns the counts',
      queue: QUEUES.system,
      params: CleanupParams,
      schema: {
        type: 'object',
        required: ['older_than_days'],
        additionalProperties: false,
        properties: { older_than_days: { type: 'integer', minimum: 0, maximum: 3650 } },
      },
      role: 'admin',
      attempts: 3,
      backoffMs: 5_000,
      checkpoints: true,
      handler: (context) => this.run(context),
    });
    this.catalog.schedule({
      name: 'system.cleanup',
      everyMs: 3_600_000,
      params: { older_than_days: SCHEDULED_RETENTION_DAYS },
    });
  }

  async run(context: JobContext<CleanupParams>): Promise<CleanupResult> {
    const days = context.params.older_than_days;
    // Each deletion and its count commit together: a run that takes over never miscounts.
    const deleted = await this.retention.purgeAll(days, {
      resume: context.resume?.deleted as Record<string, number> | undefined,
      signal: context.signal,
      checkpoint: (counts, manager) => context.checkpoint({ deleted: counts }, manager),
      progress: (percent, message) => context.progress(percent, message),
    });
    return {
      older_than_days: days,
      deleted,
      total_deleted: Object.values(deleted).reduce((a, b) => a + b, 0),
    };
  }
}
