import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { NotFoundError } from '../common/errors/app-errors.js';
import type { JobPriority } from './job-types.js';
import { QUEUES, type QueueName } from './queues.js';

/** Bull's priority: 1 is served first. */
export const BULL_PRIORITY: Record<JobPriority, number> = {
  critical: 1,
  high: 2,
  normal: 3,
  low: 4,
};

/**
 * What a Bull job carries: its record's id and generation, and what of the record never
 * changes once submitted (the parameters, whether it is internal), so that a worker can
 * start it without reading the record. State (status, attempts, checkpoint) stays in
 * the record. Repeatable internal jobs carry only their parameters: their record is made
 * when they run.
 */
export interface JobPayload {
  recordId?: string;
  generation?: number;
  params?: Record<string, unknown>;
  internal?: boolean;
  /** Set on a job whose record was cancelled while it could not be taken off its queue. */
  cancelled?: boolean;
}

/** The Bull queues of the service, by name. */
@Injectable()
export class JobQueues {
  private readonly queues: Map<string, Queue>;

  constructor(
    @InjectQueue(QUEUES.system) system: Queue,
    @InjectQueue(QUEUES.agents) agents: Queue,
    @InjectQueue(QUEUES.files) files: Queue,
    @InjectQueue(QUEUES.workflows) workflows: Queue,
  ) {
    this.queues = new Map([system, agents, files, workflows].map((queue) => [queue.name, queue]));
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  get(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  /** A queue named by a client: 404 when unknown. */
  find(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new NotFoundError('Queue', name);
    return queue;
  }

  async add(
    queue: QueueName,
    taskName: string,
    payload: JobPayload,
    options: JobOptions,
  ): Promise<void> {
    await this.get(queue).add(taskName, payload, options);
  }

  /**
   * Marks a job still in its queue (or held by a worker that may be gone) as cancelled:
   * a worker that takes it up later skips it. False when the job is not there.
   */
  async markCancelled(queue: string, bullJobId: string): Promise<boolean> {
    const job = await this.find(queue).getJob(bullJobId);
    if (!job) return false;
    await job.update({ ...(job.data as JobPayload), cancelled: true });
    return true;
  }
}
