import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { JobQueues } from './job-queues.service.js';

export interface QueueDepth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  paused: number;
  /** Jobs not started yet: waiting + delayed + paused. */
  depth: number;
}

/** Job counts and live workers of every queue, read from Redis. */
@Injectable()
export class QueueInspector {
  private readonly queues: Queue[];

  /** The job system's own queue objects: one Bull queue (and its connections) per name per process. */
  constructor(jobQueues: JobQueues) {
    this.queues = jobQueues.all();
  }

  async depths(): Promise<QueueDepth[]> {
    return Promise.all(
      this.queues.map(async (queue) => {
        const counts = (await queue.getJobCounts()) as unknown as Record<string, number>;
        const count = (state: string) => Number(counts[state] ?? 0);
        return {
          name: queue.name,
          waiting: count('waiting'),
          active: count('active'),
          delayed: count('delayed'),
          failed: count('failed'),
          completed: count('completed'),
          paused: count('paused'),
          depth: count('waiting') + count('delayed') + count('paused'),
        };
      }),
    );
  }

  /** Processes consuming each queue, across the cluster (Redis connections named by Bull's workers). */
  async workers(): Promise<Record<string, number>> {
    const entries = await Promise.all(
      this.queues.map(
        async (queue) => [queue.name, (await queue.getWorkers())?.length ?? 0] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}
