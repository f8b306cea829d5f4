import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bull';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventBus } from '../realtime/event-bus.service.js';
import type { BackgroundTaskEntity, JobStatus } from './entities/background-task.entity.js';
import { JobQueues } from './job-queues.service.js';
import { JobRecordsRepository } from './job-records.repository.js';
import { JobsService, queueEntryIdOf } from './jobs.service.js';
import { toJobResponse } from './job.mapper.js';

const INTERVAL_MS = 5_000;
/** A waiting record younger than this may simply not have reached Redis yet. */
const WAITING_GRACE_SECONDS = 3;
/**
 * A job Bull finished less than this ago is left to its worker's batched write (which
 * retries for about 6 s when the database is in trouble) and its one announcement.
 */
const FINISHED_GRACE_MS = 10_000;
const BATCH = 500;

/**
 * PostgreSQL is the memory, Bull the executor; this keeps them in step. Redis here
 * keeps nothing on disk, so after a restart or a FLUSHDB, records still waiting in
 * PostgreSQL are put on their queue again; a record left `active` by a worker that
 * died is settled from what Bull knows of its job, or queued again.
 */
@Injectable()
export class JobReconciler {
  private readonly logger = new Logger('JobReconciler');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly records: JobRecordsRepository,
    private readonly queues: JobQueues,
    private readonly jobs: JobsService,
    private readonly events: EventBus,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  start(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Writes a finished Bull job's outcome onto its record (if still in one of `from`). */
  private async settleFinished(
    record: BackgroundTaskEntity,
    job: Job,
    state: 'completed' | 'failed',
    from: JobStatus[],
  ): Promise<boolean> {
    // From Bull's state: failedReason stays on a job that failed once, then succeeded.
    const completed = state === 'completed';
    const finished = await this.records.transition(record.id, from, {
      status: completed ? 'completed' : 'failed',
      result: completed ? ((job.returnvalue as unknown) ?? null) : null,
      error: completed ? null : job.failedReason,
      completedAt: new Date(job.finishedOn ?? Date.now()),
      ...(completed ? { progress: 100 } : {}),
    });
    if (finished && !finished.internal)
      await this.events.publish(completed ? 'job.completed' : 'job.failed', {
        job: toJobResponse(finished),
      });
    return !!finished;
  }

  async reconcile(): Promise<{ requeued: number; settled: number }> {
    if (this.running) return { requeued: 0, settled: 0 };
    this.running = true;
    let requeued = 0;
    let settled = 0;
    try {
      for (const record of await this.records.findWaitingOlderThan(WAITING_GRACE_SECONDS, BATCH)) {
        const job = await this.queues.find(record.queue).getJob(queueEntryIdOf(record));
        if (!job) {
          if (await this.jobs.enqueue(record)) requeued++;
        } else if (job.finishedOn && Date.now() - job.finishedOn > FINISHED_GRACE_MS) {
          // Bull finished it but the record never heard (its worker died before writing).
          // A job finished moments ago is left to its worker's batched write, which
          // announces it once.
          const state = await job.getState();
          if (
            (state === 'completed' || state === 'failed') &&
            (await this.settleFinished(record, job, state, ['pending', 'delayed']))
          )
            settled++;
        }
      }
      const quietSeconds = Math.ceil((this.config.jobLockDurationMs * 2) / 1000);
      for (const record of await this.records.findActiveQuietFor(quietSeconds, BATCH)) {
        if (record.internal && !record.metadata.bull_job_id) continue;
        const job = await this.queues.find(record.queue).getJob(queueEntryIdOf(record));
        const state = job ? await job.getState() : 'missing';
        if (state === 'completed' || state === 'failed') {
          await this.settleFinished(record, job!, state, ['active']);
          settled++;
        } else if (state === 'missing' && !record.internal) {
          const pending = await this.records.transition(record.id, ['active'], {
            status: 'pending',
          });
          if (pending && (await this.jobs.enqueue(pending))) requeued++;
        }
      }
      if (requeued || settled)
        this.logger.log(`re-queued ${requeued} and settled ${settled} job record(s)`);
    } catch (error) {
      this.logger.warn(`reconciliation skipped: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
    return { requeued, settled };
  }
}
