import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/errors/app-errors.js';
import { withTimeout } from '../common/async.js';
import { JobQueues } from './job-queues.service.js';
import { JobRecordsRepository } from './job-records.repository.js';

const REDIS_TIMEOUT_MS = 2_000;

/** Queue figures straight from Bull, and pause/resume. */
@Injectable()
export class QueueStatusService {
  constructor(
    private readonly queues: JobQueues,
    private readonly records: JobRecordsRepository,
  ) {}

  async status() {
    const rates = await this.records.completedLastMinuteByQueue();
    const queues = await withTimeout(
      Promise.all(
        this.queues.all().map(async (queue) => {
          const [counts, paused, workers] = await Promise.all([
            queue.getJobCounts(),
            queue.isPaused(),
            queue.getWorkers(),
          ]);
          return {
            name: queue.name,
            waiting: counts.waiting,
            active: counts.active,
            delayed: counts.delayed,
            completed: counts.completed,
            failed: counts.failed,
            paused,
            workers: workers.length,
            processing_rate_per_minute: rates[queue.name] ?? 0,
          };
        }),
      ),
      REDIS_TIMEOUT_MS,
      'Redis did not answer',
    ).catch((error: Error) => {
      throw new ServiceUnavailableError(`Queue status unavailable: ${error.message}`);
    });
    return { queues, timestamp: new Date().toISOString() };
  }

  async pause(name: string) {
    const queue = this.queues.find(name);
    await queue.pause();
    return { name, paused: true };
  }

  async resume(name: string) {
    const queue = this.queues.find(name);
    await queue.resume();
    return { name, paused: false };
  }
}
