import type { JobOptions } from 'bull';

/**
 * Every Bull queue of the service, declared once. Each job type of the catalogue
 * names one of these; workers process all of them.
 */
export const QUEUES = {
  system: 'system',
  agents: 'agents',
  files: 'files',
  workflows: 'workflows',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);

/** Defaults for every job; job types override attempts, backoff and timeout on purpose. */
export const DEFAULT_JOB_OPTIONS: JobOptions = {
  attempts: 1,
  removeOnComplete: 1000,
  removeOnFail: 5000,
};

/** Hard time limit of a job unless its type says otherwise (30 min). */
export const DEFAULT_JOB_TIMEOUT_MS = 1_800_000;
