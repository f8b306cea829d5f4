import { Injectable } from '@nestjs/common';
import {
  HealthIndicatorFunction,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { FileStore } from '../files/storage/file-store.js';
import { RedisService } from '../redis/redis.service.js';

/** Each check answers within this bound, so readiness never hangs on a dead service. */
export const CHECK_TIMEOUT_MS = 1_500;

@Injectable()
export class CoreHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly redis: RedisService,
    private readonly store: FileStore,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  database() {
    return this.typeorm.pingCheck('database', { timeout: CHECK_TIMEOUT_MS });
  }

  redisPing() {
    return this.indicators
      .check('redis')
      .attempt(async () => {
        await this.redis.client.ping();
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  /** What `/health/ready` waits for: PostgreSQL, Redis, and the bucket when FILE_STORE=s3. */
  readiness(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [() => this.database(), () => this.redisPing()];
    if (this.config.fileStore === 's3') checks.push(() => this.bucket('file_store'));
    return checks;
  }

  /** The store's own probe (for S3: the bucket answers and takes a write), under `key`. */
  bucket<Key extends string>(key: Key) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        const { status, message, location, writable } = await this.store.check();
        if (status !== 'up') throw new Error(`${location}: ${message ?? 'not writable'}`);
        return { store: this.config.fileStore, location, writable };
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
