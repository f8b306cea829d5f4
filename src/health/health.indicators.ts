import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisService } from '../redis/redis.service.js';

/** Each check answers within this bound, so readiness never hangs on a dead service. */
export const CHECK_TIMEOUT_MS = 1_500;

@Injectable()
export class CoreHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly redis: RedisService,
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
}
