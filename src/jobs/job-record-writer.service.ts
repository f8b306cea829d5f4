import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sleep } from '../common/async.js';
import type { DomainEventName } from '../realtime/domain-events.js';
import { CacheVersions } from '../common/cache/cache-versions.service.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { BackgroundTaskEntity, type JobStatus } from './entities/background-task.entity.js';
import type { JobResponseDto } from './dto/jobs.dto.js';
import { toJobResponse } from './job.mapper.js';

export interface RecordPatch {
  status?: JobStatus;
  progress?: number;
  progressMessage?: string | null;
  result?: unknown;
  error?: string | null;
  /** Runs started since the last write: added to the record's count of attempts. */
  attemptsAdded?: number;
  startedAt?: Date;
  completedAt?: Date | null;
  checkpoint?: Record<string, unknown> | null;
}

export type JobEventName = Extract<DomainEventName, `job.${string}`>;

interface Pending {
  id: string;
  generation: number;
  patch: RecordPatch;
  events: JobEventName[];
  internal: boolean;
  waiters: (() => void)[];
}

const FLUSH_DELAY_MS = 15;
const MAX_BATCH = 500;

/**
 * Writes the state changes of running jobs in batches: many jobs' changes in one
 * UPDATE, then their `job_update` events, in order. A change never lands on a
 * record that moved on: cancelled, finished (a run of its job taken up again after a
 * stall changes nothing), or retried as a newer generation.
 */
@Injectable()
export class JobRecordWriter implements OnApplicationShutdown {
  private readonly logger = new Logger('JobRecords');
  private pending = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventBus,
    private readonly cache: CacheVersions,
  ) {}

  /** Queues a change; resolves once it is stored and its events published. */
  update(
    id: string,
    generation: number,
    patch: RecordPatch,
    event: JobEventName | null,
    internal: boolean,
  ): Promise<void> {
    // Keyed by generation too: a retried job's first change must not replace the last
    // change of its previous run before that is written.
    const key = `${id}:${generation}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { id, generation, patch: {}, events: [], internal, waiters: [] };
      this.pending.set(key, entry);
    }
    const attemptsAdded = (entry.patch.attemptsAdded ?? 0) + (patch.attemptsAdded ?? 0);
    Object.assign(entry.patch, patch);
    if (attemptsAdded) entry.patch.attemptsAdded = attemptsAdded;
    if (event && !internal && entry.events[entry.events.length - 1] !== event)
      entry.events.push(event);
    const done = new Promise<void>((resolveDone) => entry.waiters.push(resolveDone));
    this.scheduleFlush(this.pending.size >= MAX_BATCH ? 0 : FLUSH_DELAY_MS);
    return done;
  }

  /**
   * Writes everything queued now and whatever arrives while that is written.
   * Chains the write itself rather than waiting for the timer: a timer cannot fire
   * while this awaits already-settled promises, so waiting for it would spin.
   */
  async flush(): Promise<void> {
    do {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.write());
      await this.flushing;
    } while (this.pending.size);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private scheduleFlush(delay: number): void {
    if (this.timer && delay > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.write());
    }, delay);
  }

  private async write(): Promise<void> {
    if (!this.pending.size) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const rows = batch.map(({ id, generation, patch }) => ({
      id,
      generation,
      status: patch.status ?? null,
      progress: patch.progress ?? null,
      set_progress_message: 'progressMessage' in patch,
      progress_message: patch.progressMessage ?? null,
      set_result: 'result' in patch,
      result: patch.result === undefined ? null : patch.result,
      set_error: 'error' in patch,
      error: patch.error ?? null,
      attempts_added: patch.attemptsAdded ?? 0,
      started_at: patch.startedAt?.toISOString() ?? null,
      set_completed_at: 'completedAt' in patch,
      completed_at: patch.completedAt?.toISOString() ?? null,
      set_checkpoint: 'checkpoint' in patch,
      checkpoint: patch.checkpoint ?? null,
    }));
    let updated: BackgroundTaskEntity[] = [];
    // Attempts are added, not set: a retry after a commit whose answer was lost (a
    // connection reset) would count a run twice. Rare, and only a count.
    for (let attempt = 0; ; attempt++) {
      try {
        updated = await this.apply(rows);
        break;
      } catch (error) {
        if (attempt >= 5) {
          this.logger.error(
            `could not store ${rows.length} job updates: ${(error as Error).message}`,
          );
          break;
        }
        await sleep(200 * 2 ** attempt);
      }
    }
    // By generation too: a batch may hold changes of two runs of one job, of which only
    // the current one lands.
    const landed = new Map(updated.map((record) => [`${record.id}:${record.generation}`, record]));
    // One publication for the whole batch: one cache invalidation, events in order.
    const events = batch.flatMap((entry) => {
      const record = landed.get(`${entry.id}:${entry.generation}`);
      return record
        ? entry.events.map(
            (name) =>
              [name, { job: toJobResponse(record) }] as [JobEventName, { job: JobResponseDto }],
          )
        : [];
    });
    if (events.length) await this.events.publishAll(events).catch(() => undefined);
    // Internal jobs publish no events; their records still change what lists show.
    else if (updated.length) await this.cache.bump(['jobs']).catch(() => undefined);
    for (const entry of batch) for (const waiter of entry.waiters) waiter();
  }

  private async apply(rows: object[]): Promise<BackgroundTaskEntity[]> {
    const raw: Record<string, unknown>[] = await this.dataSource.query(
      `UPDATE background_tasks t SET
         status = COALESCE(v.status, t.status),
         progress = COALESCE(v.progress, t.progress),
         progress_message = CASE WHEN v.set_progress_message THEN v.progress_message ELSE t.progress_message END,
         result = CASE WHEN v.set_result THEN v.result ELSE t.result END,
         error = CASE WHEN v.set_error THEN v.error ELSE t.error END,
         attempts = t.attempts + v.attempts_added,
         started_at = COALESCE(v.started_at, t.started_at),
         completed_at = CASE WHEN v.set_completed_at THEN v.completed_at ELSE t.completed_at END,
         checkpoint = CASE WHEN v.set_checkpoint THEN v.checkpoint ELSE t.checkpoint END,
         updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS v(
         id uuid, generation int, status varchar, progress real, set_progress_message boolean, progress_message text,
         set_result boolean, result jsonb, set_error boolean, error text, attempts_added int, started_at timestamptz,
         set_completed_at boolean, completed_at timestamptz, set_checkpoint boolean, checkpoint jsonb)
       WHERE t.id = v.id AND t.generation = v.generation
         AND NOT (t.status = 'cancelled' AND v.status IS DISTINCT FROM 'cancelled')
         AND t.status NOT IN ('completed', 'failed')
       RETURNING t.*`,
      [JSON.stringify(rows)],
    );
    const metadata = this.dataSource.getMetadata(BackgroundTaskEntity);
    return (raw[0] && Array.isArray(raw[0]) ? (raw[0] as Record<string, unknown>[]) : raw).map(
      (row) =>
        this.dataSource.manager.create(
          BackgroundTaskEntity,
          Object.fromEntries(
            metadata.columns.map((column) => [column.propertyName, row[column.databaseName]]),
          ),
        ),
    );
  }
}
