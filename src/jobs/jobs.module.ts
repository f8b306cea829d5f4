import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CleanupJob } from './cleanup.job.js';
import { BackgroundTaskLogEntity } from './entities/background-task-log.entity.js';
import { BackgroundTaskEntity } from './entities/background-task.entity.js';
import { JobCancellation } from './job-cancellation.service.js';
import { JobCatalog } from './job-catalog.service.js';
import { JobQueues } from './job-queues.service.js';
import { JobRecordWriter } from './job-record-writer.service.js';
import { JobRecordsRepository } from './job-records.repository.js';
import { JobReconciler } from './job-reconciler.service.js';
import { JobRunner } from './job-runner.service.js';
import { JobsController } from './jobs.controller.js';
import { JobsService } from './jobs.service.js';
import { QueueInspector } from './queue-inspector.service.js';
import { QueueStatusService } from './queue-status.service.js';
import { QUEUE_NAMES } from './queues.js';
import { RetentionRegistry } from './retention.service.js';

/** Durable background jobs: Bull executes, PostgreSQL remembers. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([BackgroundTaskEntity, BackgroundTaskLogEntity]),
    BullModule.registerQueueAsync(
      ...QUEUE_NAMES.map((name) => ({
        name,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({
          settings: {
            lockDuration: config.jobLockDurationMs,
            stalledInterval: Math.max(1_000, Math.floor(config.jobLockDurationMs / 2)),
            maxStalledCount: 2,
          },
        }),
      })),
    ),
  ],
  controllers: [JobsController],
  providers: [
    JobCatalog,
    RetentionRegistry,
    JobQueues,
    JobRecordsRepository,
    JobRecordWriter,
    JobCancellation,
    JobsService,
    JobReconciler,
    JobRunner,
    QueueStatusService,
    QueueInspector,
    CleanupJob,
  ],
  exports: [JobCatalog, RetentionRegistry, JobsService, JobQueues, QueueInspector, BullModule],
})
export class JobsModule {}
