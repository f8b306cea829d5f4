import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { JobQueues } from '../jobs/job-queues.service.js';
import { QUEUES } from '../jobs/queues.js';
import { RedisService } from '../redis/redis.service.js';

export const DISPATCH_JOB = 'workflows.dispatch';
/** The scope of a dispatch request: one run, or every running run (an agent became free). */
export const ANY_RUN = 'any';

/** Counter → what is left after the served requests are taken off; gone at 0. */
const SETTLE = `local left = redis.call('DECRBY', KEYS[1], ARGV[1])
if left <= 0 then redis.call('DEL', KEYS[1]) end
return left`;

/** A request left over by a worker that died is forgotten after this long (the sweep covers it). */
const REQUEST_TTL_MS = 30_000;

/**
 * Asks the workers to dispatch, at once and without piling up jobs. A request bumps a
 * counter in Redis; only the first request of a burst enqueues a `workflows.dispatch`
 * job, whose handler works until no request arrived during its last pass. So a burst
 * of completions costs one or two jobs, and a request made while a pass is running
 * is never lost. Nothing here is state: if Redis loses it, the periodic sweep finds
 * the same work in PostgreSQL.
 */
@Injectable()
export class DispatchTriggerService {
  private readonly logger = new Logger('DispatchTriggerService');

  constructor(
    private readonly redis: RedisService,
    private readonly queues: JobQueues,
  ) {}

  private key(scope: string): string {
    return this.redis.key('workflows', 'dispatch-requests', scope);
  }

  /** Requests a dispatch pass for a run (or ANY_RUN). */
  async request(scope: string): Promise<void> {
    const key = this.key(scope);
    try {
      const replies = await this.redis.client.multi().incr(key).pexpire(key, REQUEST_TTL_MS).exec();
      const count = Number(replies?.[0]?.[1] ?? 0);
      if (count !== 1) return;
      await this.enqueue(scope, `${DISPATCH_JOB}:${scope}:${randomUUID()}`);
    } catch (error) {
      await this.redis.client.del(key).catch(() => undefined);
      this.logger.warn(`dispatch of ${scope} left to the sweep: ${(error as Error).message}`);
    }
  }

  /** A pass at a given time (a retry's backoff): the job id makes it once per attempt. */
  async requestAt(runId: string, at: Date, onceKey: string): Promise<void> {
    try {
      await this.enqueue(
        runId,
        `${DISPATCH_JOB}:${onceKey}`,
        Math.max(0, at.getTime() - Date.now()),
      );
    } catch (error) {
      this.logger.warn(
        `delayed dispatch of ${runId} left to the sweep: ${(error as Error).message}`,
      );
    }
  }

  /** Runs `pass` until no request for the scope arrived while it ran. */
  async serve(scope: string, pass: () => Promise<void>): Promise<void> {
    const key = this.key(scope);
    for (;;) {
      const seen = Number((await this.redis.client.get(key).catch(() => null)) ?? 0);
      try {
        await pass();
      } catch (error) {
        // Let the next request enqueue a fresh job instead of waiting for this one's retries.
        await this.redis.client.del(key).catch(() => undefined);
        throw error;
      }
      const left = Number(await this.redis.client.eval(SETTLE, 1, key, seen).catch(() => 0));
      if (left <= 0) return;
    }
  }

  private async enqueue(scope: string, jobId: string, delay = 0): Promise<void> {
    await this.queues.add(
      QUEUES.workflows,
      DISPATCH_JOB,
      { internal: true, params: scope === ANY_RUN ? {} : { run_id: scope } },
      {
        jobId,
        delay,
        attempts: 3,
        backoff: { type: 'fixed', delay: 500 },
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
  }
}
