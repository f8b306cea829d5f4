import type { EntityManager } from 'typeorm';
import type { UserRole } from '../auth/roles.js';
import type { QueueName } from './queues.js';

export const JOB_PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

/** What a job handler gets: its validated parameters and ways to report. */
export interface JobContext<P> {
  /** Id of the durable record (also the Bull job id). */
  jobId: string;
  params: P;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** Aborted when the job is cancelled or hits its time limit: check it between steps. */
  signal: AbortSignal;
  /** 0-100; reaches the record and `job_update` subscribers. */
  progress(percentage: number, message?: string): Promise<void>;
  /** A line in the job's log (`GET /background-tasks/{id}/logs`). */
  log(message: string): Promise<void>;
  /**
   * Saves how far the job got, at once (not batched). A run that takes over after
   * a crash finds it in `resume`, so resumable jobs neither redo nor miscount work.
   * Pass the transaction that did the work to save both or neither.
   */
  checkpoint(state: Record<string, unknown>, within?: EntityManager): Promise<void>;
  resume: Record<string, unknown> | null;
}

/**
 * A job type of the catalogue. Modules register theirs at start-up
 * (`JobCatalog.register`); the job system validates parameters on submission,
 * runs the handler on a worker and keeps the record in PostgreSQL.
 */
export interface JobTypeDefinition<P extends object = object, R = unknown> {
  /** `<module>.<action>`, e.g. `files.validate`. */
  name: string;
  description: string;
  queue: QueueName;
  /** A class-validator DTO for the parameters; omitted: the job takes `{}`. */
  params?: new () => P;
  /** JSON Schema of the parameters, shown by `GET /background-tasks/types`. */
  schema: Record<string, unknown>;
  priority?: JobPriority;
  /** Runs at most this many times (1 = no retry); retries back off exponentially from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
  /** Hard time limit (default 30 min). */
  timeoutMs?: number;
  /** Least role that may submit it over the API (default operator). */
  role?: UserRole;
  /**
   * The handler saves checkpoints (`context.checkpoint`): each run reads its record
   * first, to find the last one in `resume`. Other types start without that read.
   */
  checkpoints?: boolean;
  handler(context: JobContext<P>): Promise<R>;
}

/** A repeatable job the service schedules for itself (flagged internal). */
export interface ScheduleDefinition {
  /** The job type to run. */
  name: string;
  everyMs: number;
  params?: Record<string, unknown>;
}
