import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, Runtime } from '../config/config.module.js';

/**
 * The one factory of Redis connections. Everything (Bull, cache, rate limits,
 * Socket.IO adapter, pub/sub) gets its clients here, so they share the URL, the
 * key prefix and the shutdown.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly clients = new Set<Redis>();
  /**
   * Shared client for short commands. It does not queue commands while Redis is
   * away: callers get an error at once and decide to step aside (cache, limits)
   * or answer 503.
   */
  readonly client: Redis;

  constructor(
    @InjectRuntime() private readonly runtime: Runtime,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    // Auto-pipelining: commands of concurrent requests leave in one write.
    this.client = this.create('commands', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
    });
  }

  get prefix(): string {
    return this.config.redisKeyPrefix;
  }

  /** `<prefix>:a:b:c`: every key and channel we use goes through this. */
  key(...parts: (string | number)[]): string {
    return [this.config.redisKeyPrefix, ...parts].join(':');
  }

  create(purpose: string, options: RedisOptions = {}): Redis {
    const client = new Redis(this.runtime.redisUrl, {
      connectionName: `subforge:${purpose}`,
      connectTimeout: 3_000,
      // Keep trying to come back, at most every 2 s.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      ...options,
    });
    let reported = false;
    client.on('error', (error: Error) => {
      if (!reported) this.logger.warn(`${purpose}: ${error.message}`);
      reported = true;
    });
    client.on('ready', () => {
      if (reported) this.logger.log(`${purpose}: connected again`);
      reported = false;
    });
    // Kept until shutdown even after an 'end': Bull reconnects its blocking client
    // while it closes a queue (to abort BRPOPLPUSH), and that client must be closed too.
    this.clients.add(client);
    return client;
  }

  /** True when the shared client can talk to Redis right now. */
  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (client) => {
        try {
          if (client.status === 'ready') await client.quit();
          else if (client.status !== 'end') client.disconnect();
        } catch {
          client.disconnect();
        }
      }),
    );
  }
}
