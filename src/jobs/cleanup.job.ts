import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventStore } from '../realtime/event-store.service.js';
import { JobCatalog } from './job-catalog.service.js';
import { JobRecordsRepository } from './job-records.repository.js';
import type { JobContext } from './job-types.js';
import { QUEUES } from './queues.js';
import { RetentionRegistry } from './retention.service.js';

export class CleanupParams {
  @ApiProperty({ minimum: 0, maximum: 3650 })
  @IsInt()
  @Min(0)
  @Max(3650)
  older_than_days: number;
}

const BATCH = 1_000;
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
 * Resumable: counts are checkpointed after each batch.
 */
@Injectable()
export class CleanupJob implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly retention: RetentionRegistry,
    private readonly records: JobRecordsRepository,
    private readonly events: EventStore,
    private readonly dataSource: DataSource,
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
    const previous = (context.resume?.deleted ?? {}) as Record<string, number>;
    const deleted: Record<string, number> = { ...previous };
    const policies = this.retention.list();
    for (const [index, policy] of policies.entries()) {
      deleted[policy.name] ??= 0;
      for (;;) {
        if (context.signal.aborted) throw new Error('cleanup interrupted');
        // The deletion and its count commit together: a run that takes over never miscounts.
        const count = await this.dataSource.transaction(async (manager) => {
          const purged = await policy.purgeBatch(days, BATCH, manager);
          if (purged)
            await context.checkpoint(
              { deleted: { ...deleted, [policy.name]: deleted[policy.name] + purged } },
              manager,
            );
          return purged;
        });
        if (!count) break;
        deleted[policy.name] += count;
        await context.progress(
          ((index + 0.5) / policies.length) * 100,
          `${policy.name}: ${deleted[policy.name]} deleted`,
        );
      }
      await context.progress(((index + 1) / policies.length) * 100, `${policy.name} done`);
    }
    return {
      older_than_days: days,
      deleted,
      total_deleted: Object.values(deleted).reduce((a, b) => a + b, 0),
    };
  }
}
