import { Inject, Injectable } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { QUEUE_NAMES } from '../../jobs/queues.js';

/**
 * The Bull queues, registered once for this module. @nestjs/bull builds one Queue
 * (with its own Redis connections) per `registerQueue()` call, because Nest 12 tells
 * dynamic modules apart by reference: a module that needs these queues should import
 * this same constant rather than calling `registerQueue` again.
 */
export const QUEUE_REGISTRATION = BullModule.registerQueue(
  ...QUEUE_NAMES.map((name) => ({ name })),
);

export const SYSTEM_QUEUES = Symbol('SYSTEM_QUEUES');

export const systemQueuesProvider = {
  provide: SYSTEM_QUEUES,
  useFactory: (...queues: Queue[]) => queues,
  inject: QUEUE_NAMES.map((name) => getQueueToken(name)),
};

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
  constructor(@Inject(SYSTEM_QUEUES) private readonly queues: Queue[]) {}

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
