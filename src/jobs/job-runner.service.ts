import { randomUUID } from 'node:crypto';
import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { Job } from 'bull';
import { isUUID } from 'class-validator';
import type { AppConfig } from '../config/config.js';
import {
  InjectConfig,
  InjectRuntime,
  type Runtime,
  shutdownWaitMs,
} from '../config/config.module.js';
import { JobMetrics } from '../metrics/job-metrics.service.js';
import { withTimeout } from '../common/async.js';
import { Batcher } from '../common/batcher.js';
import type { BackgroundTaskEntity } from './entities/background-task.entity.js';
import { JobCancellation } from './job-cancellation.service.js';
import { JobCatalog } from './job-catalog.service.js';
import { JobQueues, type JobPayload } from './job-queues.service.js';
import {
  type JobEventName,
  JobRecordWriter,
  type RecordPatch,
} from './job-record-writer.service.js';
import { JobRecordsRepository } from './job-records.repository.js';
import type { JobContext, JobTypeDefinition } from './job-types.js';
import { DEFAULT_JOB_TIMEOUT_MS } from './queues.js';
import { JobReconciler } from './job-reconciler.service.js';

/** What a run of a job needs of its record. */
interface RunTarget {
  id: string;
  generation: number;
  internal: boolean;
  params: Record<string, unknown>;
  /** The last checkpoint of a type that declares them; null for the others. */
  resume: Record<string, unknown> | null;
  /**
   * For a record written beside the run: settles once it exists (true), or could not be
   * written (false). Null when the record exists already.
   */
  recorded: Promise<boolean> | null;
}

/** Thrown for failures that no retry can fix. */
export class PermanentJobError extends Error {}

const PROGRESS_EVENT_INTERVAL_MS = 250;
const SHUTDOWN_GRACE_MS = 6_000;
/** How long shutdown waits for record changes whose record is still being written... */
const RECORDS_SHUTDOWN_WAIT_MS = 2_000;
/** ... keeping this much for the writer's flush and the events it publishes. */
const RECORDS_SHUTDOWN_RESERVE_MS = 4_000;

/**
 * The worker side: runs every queue's jobs with their catalogue handler, keeps the
 * durable record in step (through the batched writer), enforces time limits and
 * cancellation, and schedules the repeatable jobs the service runs for itself.
 * Active only in processes whose ROLE is `worker` or `all`.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private started = false;
  /** Record changes waiting for their record's INSERT; awaited at shutdown. */
  private readonly recording = new Set<Promise<void>>();
  /**
   * Jobs starting together read their records in one statement: the concurrent slots of
   * every queue start jobs back to back, and a read per job was a round trip each.
   */
  private readonly recordReads = new Batcher<string, BackgroundTaskEntity>(async (ids) => {
    // An id that is no UUID names no record (and must not fail the others' read).
    const records = await this.records.findByIds(ids.filter((id) => isUUID(id)));
    return new Map(records.map((record) => [record.id, record]));
  });

  constructor(
    private readonly catalog: JobCatalog,
    private readonly queues: JobQueues,
    private readonly records: JobRecordsRepository,
    private readonly writer: JobRecordWriter,
    private readonly cancellation: JobCancellation,
    private readonly reconciler: JobReconciler,
    private readonly metrics: JobMetrics,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.started = true;
    await this.cancellation.listen();
    for (const queue of this.queues.all()) {
      queue.on('error', (error: Error) =>
        this.logger.warn(`queue ${queue.name}: ${error.message}`),
      );
      queue.on('stalled', (job: Job) =>
        this.logger.warn(`job ${job.id} on ${queue.name} stalled; it will be taken up again`),
      );
      void queue.process('*', this.config.jobConcurrency, (job: Job<JobPayload>) => this.run(job));
      // Redis keeps nothing across a restart, these schedules included: whenever a
      // queue's connection comes back, its schedules are put back (adding one is idempotent).
      queue.client.on('ready', () => void this.scheduleOrWarn(queue.name));
    }
    await this.scheduleOrWarn();
    this.reconciler.start();
    this.logger.log(
      `processing ${this.queues.all().length} queues at concurrency ${this.config.jobConcurrency}`,
    );
  }

  /** Lets running jobs finish for a while; what is still running is handed back by Bull's stalled-job recovery. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    this.reconciler.stop();
    await Promise.all(
      this.queues
        .all()
        .map((queue) =>
          withTimeout(queue.close(), SHUTDOWN_GRACE_MS, `queue ${queue.name} still busy`).catch(
            (error: Error) => this.logger.warn(error.message),
          ),
        ),
    );
    await withTimeout(
      Promise.all(this.recording),
      shutdownWaitMs(this.runtime, RECORDS_SHUTDOWN_WAIT_MS, RECORDS_SHUTDOWN_RESERVE_MS),
      'job records still being written',
    ).catch((error: Error) => this.logger.warn(error.message));
    await this.writer.flush();
  }

  private async scheduleOrWarn(queueName?: string): Promise<void> {
    await this.schedule(queueName).catch((error: Error) =>
      this.logger.warn(`repeatable jobs not scheduled yet: ${error.message}`),
    );
  }

  /** Registers the catalogue's repeatable jobs (of one queue), replacing those whose interval changed. */
  private async schedule(queueName?: string): Promise<void> {
    for (const schedule of this.catalog.scheduled()) {
      const type = this.catalog.get(schedule.name);
      if (!type) throw new Error(`schedule for unknown job type ${schedule.name}`);
      if (queueName && type.queue !== queueName) continue;
      const queue = this.queues.get(type.queue);
      for (const repeatable of await queue.getRepeatableJobs()) {
        if (repeatable.name === schedule.name && Number(repeatable.every) !== schedule.everyMs)
          await queue.removeRepeatableByKey(repeatable.key);
      }
      await queue.add(
        schedule.name,
        { internal: true, params: schedule.params ?? {} } satisfies JobPayload,
        {
          repeat: { every: schedule.everyMs },
          jobId: `repeat:${schedule.name}`,
          removeOnComplete: true,
          removeOnFail: 100,
        },
      );
    }
  }

  private async settleUnrunnable(job: Job<JobPayload>, reason: string): Promise<void> {
    if (!job.data.recordId) return;
    const record = await this.records.findById(job.data.recordId);
    if (!record || record.generation !== (job.data.generation ?? 0)) return;
    await this.writer.update(
      record.id,
      record.generation,
      { status: 'failed', error: reason, completedAt: new Date() },
      'job.failed',
      record.internal,
    );
  }

  /**
   * What a run needs of its record. A job that carries its parameters starts from its
   * payload alone; the record is read only when the payload is from before parameters
   * were carried, or the type resumes from checkpoints (a record that moved on then
   * gives null: the job is skipped). A job marked cancelled is skipped. Otherwise a run
   * of a record that moved on (a job taken up again after a stall) may run, as Bull runs
   * a stalled job again, but its changes never land on the record (JobRecordWriter).
   */
  private async targetFor(
    job: Job<JobPayload>,
    type: JobTypeDefinition,
  ): Promise<RunTarget | null> {
    const { recordId, generation = 0, params, internal = false, cancelled } = job.data;
    if (cancelled) return null;
    if (!recordId) {
      // A run of a repeatable job, or of an internal one queued with its parameters only
      // (a dispatch): its record is made now, beside the handler rather than ahead of it
      // (the record's writes wait for it; a dispatch would wait for an INSERT).
      const id = randomUUID();
      const recorded = this.records
        .create({
          id,
          taskName: type.name,
          queue: type.queue,
          status: 'active',
          priority: type.priority ?? 'normal',
          parameters: params ?? {},
          maxRetries: (job.opts.attempts ?? 1) - 1,
          generation: 0,
          internal: true,
          metadata: { bull_job_id: String(job.id) },
          startedAt: new Date(),
        })
        .then(
          () => true,
          (error: unknown) => {
            this.logger.warn(
              `${type.name} runs without its record: ${(error as Error)?.message ?? String(error)}`,
            );
            return false;
          },
        );
      // A type with checkpoints may save one inside its handler's transaction: waiting there
      // for the INSERT would hold that transaction open, so its record is written first.
      if (type.checkpoints) await recorded;
      return { id, generation: 0, internal: true, params: params ?? {}, resume: null, recorded };
    }
    if (params && !type.checkpoints)
      return { id: recordId, generation, internal, params, resume: null, recorded: null };
    const record = await this.recordReads.ask(recordId);
    if (!record) throw new PermanentJobError(`record ${recordId} does not exist`);
    if (
      record.generation !== generation ||
      ['completed', 'failed', 'cancelled'].includes(record.status)
    )
      return null;
    return {
      id: record.id,
      generation,
      internal: record.internal,
      params: record.parameters,
      resume: record.checkpoint,
      recorded: null,
    };
  }

  /**
   * A job queued without a record (a dispatch) keeps the one its first attempt made: its
   * retries take it up again, as a submitted job's do. Otherwise each attempt would make a
   * record of its own, and the first would stay `delayed`. Not for a run of a repeatable
   * job: Bull makes its next run from the data of this one.
   */
  private async keepRecord(
    job: Job<JobPayload>,
    id: string,
    recorded: Promise<boolean>,
  ): Promise<void> {
    if (job.opts.repeat || !(await recorded)) return;
    try {
      // As stored now: a cancellation may have marked it meanwhile.
      const current = (await job.queue.getJob(job.id))?.data ?? job.data;
      await job.update({ ...current, recordId: id, generation: 0, internal: true });
    } catch (error) {
      this.logger.warn(
        `${job.name}: its retry will make a record of its own: ${(error as Error).message}`,
      );
    }
  }

  private async run(job: Job<JobPayload>): Promise<unknown> {
    const type = this.catalog.get(job.name);
    if (!type) {
      const reason = `unknown job type ${job.name} (this worker does not register it)`;
      await job.discard();
      // The record must not wait forever for a job that will never run.
      await this.settleUnrunnable(job, reason);
      throw new PermanentJobError(reason);
    }
    const target = await this.targetFor(job, type);
    if (!target) return { skipped: 'the record was cancelled or retried meanwhile' };

    const { id, generation, internal } = target;
    const attempt = job.attemptsMade + 1;
    const controller = new AbortController();
    this.cancellation.track(id, controller);
    const timeoutMs = type.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
    const timer = setTimeout(() => controller.abort('timeout'), timeoutMs);
    const began = performance.now();
    let outcome = 'failed';
    // What needs the record waits for its INSERT, if one is under way; without a record
    // (its INSERT failed, as warned), a run's changes, log lines and checkpoints have nowhere to go.
    const { recorded } = target;
    const onRecord = <T>(write: () => Promise<T>): Promise<T | undefined> =>
      recorded ? recorded.then((exists) => (exists ? write() : undefined)) : write();
    const writeRecord = (patch: RecordPatch, event: JobEventName | null) => {
      const write = () => void this.writer.update(id, generation, patch, event, internal);
      if (!recorded) return write();
      const queued = onRecord(async () => write());
      this.recording.add(queued);
      void queued.then(() => this.recording.delete(queued));
    };
    writeRecord(
      { status: 'active', startedAt: new Date(), attemptsAdded: 1, error: null },
      'job.started',
    );

    let lastProgressEvent = 0;
    const context: JobContext<object> = {
      jobId: id,
      params: target.params,
      attempt,
      signal: controller.signal,
      progress: async (percentage, message) => {
        const progress = Math.max(0, Math.min(100, percentage));
        const now = Date.now();
        const announce = now - lastProgressEvent >= PROGRESS_EVENT_INTERVAL_MS || progress >= 100;
        if (announce) lastProgressEvent = now;
        void job.progress(progress).catch(() => undefined);
        writeRecord(
          { progress, progressMessage: message ?? null },
          announce ? 'job.progress' : null,
        );
      },
      log: (message) => onRecord(() => this.records.addLog(id, attempt, message)),
      checkpoint: (state, within) =>
        type.checkpoints
          ? onRecord(() => this.records.saveCheckpoint(id, generation, state, within))
          : Promise.reject(
              new Error(`job type ${type.name} saves checkpoints but does not declare them`),
            ),
      resume: target.resume,
    };

    try {
      const result = await this.untilAborted(type.handler(context), controller.signal);
      writeRecord(
        {
          status: 'completed',
          result: result ?? null,
          progress: 100,
          completedAt: new Date(),
          error: null,
        },
        'job.completed',
      );
      outcome = 'completed';
      return result ?? null;
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      if (controller.signal.aborted && reason === 'cancelled') {
        outcome = 'cancelled';
        writeRecord({ status: 'cancelled', completedAt: new Date() }, 'job.cancelled');
        await job.discard();
        throw new PermanentJobError('cancelled');
      }
      const message =
        controller.signal.aborted && reason === 'timeout'
          ? `Time limit of ${timeoutMs / 1000} s exceeded`
          : ((error as Error)?.message ?? String(error));
      const permanent = error instanceof PermanentJobError;
      if (permanent) await job.discard();
      if (!permanent && attempt < (job.opts.attempts ?? 1)) {
        outcome = 'retrying';
        writeRecord({ status: 'delayed', error: message }, 'job.retrying');
        if (recorded) await this.keepRecord(job, id, recorded);
      } else {
        writeRecord({ status: 'failed', error: message, completedAt: new Date() }, 'job.failed');
      }
      throw error instanceof Error ? error : new Error(message);
    } finally {
      clearTimeout(timer);
      this.cancellation.untrack(id);
      this.metrics.observe(type.name, outcome, performance.now() - began);
    }
  }

  /** The handler's outcome, or a rejection as soon as the job is cancelled or times out. */
  private untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(new Error(String(signal.reason)));
    return new Promise<T>((resolveWork, reject) => {
      const onAbort = () => reject(new Error(String(signal.reason)));
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolveWork(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}
