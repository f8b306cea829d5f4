import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service.js';

/**
 * Cancelling a running job: the API publishes the request on Redis; the worker
 * running it aborts the job's signal. Workers register their running jobs here.
 */
@Injectable()
export class JobCancellation implements OnApplicationShutdown {
  private readonly logger = new Logger('JobCancellation');
  private readonly running = new Map<string, AbortController>();
  private subscriber?: Redis;

  constructor(private readonly redis: RedisService) {}

  private get channel(): string {
    return this.redis.key('jobs', 'cancel');
  }

  /** Worker side: start listening for cancel requests. */
  async listen(): Promise<void> {
    if (this.subscriber) return;
    this.subscriber = this.redis.create('job-cancellation');
    this.subscriber.on('message', (_channel: string, id: string) =>
      this.running.get(id)?.abort('cancelled'),
    );
    await this.subscriber
      .subscribe(this.channel)
      .catch((error: Error) => this.logger.warn(`cannot listen for cancels yet: ${error.message}`));
  }

  track(id: string, controller: AbortController): void {
    this.running.set(id, controller);
  }

  untrack(id: string): void {
    this.running.delete(id);
  }

  /** Every running job here, for shutdown. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  async request(id: string): Promise<void> {
    this.running.get(id)?.abort('cancelled');
    await this.redis.client.publish(this.channel, id).catch((error: Error) => {
      this.logger.warn(`cancel request for ${id} not broadcast: ${error.message}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.running.clear();
  }
}
