import { ExecutionContext, Module } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig, RateLimits } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { RATE_LIMIT_CLASS } from './rate-limit.decorator.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

const WINDOW_MS = 60_000;

@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
class RateLimitStorageModule {}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [APP_CONFIG, RedisThrottlerStorage],
      useFactory: (config: AppConfig, storage: RedisThrottlerStorage) => {
        const reflector = new Reflector();
        const limitFor = (context: ExecutionContext): number => {
          const limitClass = reflector.getAllAndOverride<keyof RateLimits | undefined>(
            RATE_LIMIT_CLASS,
            [context.getHandler(), context.getClass()],
          );
          if (limitClass) return config.rateLimits[limitClass];
          const method = context.switchToHttp().getRequest<{ method: string }>().method;
          return config.rateLimits[method === 'GET' || method === 'HEAD' ? 'read' : 'write'];
        };
        return {
          throttlers: [
            { name: 'default', ttl: WINDOW_MS, limit: limitFor, blockDuration: WINDOW_MS },
          ],
          storage,
          skipIf: () => !config.rateLimitEnabled,
          errorMessage: 'Too many requests; retry after the number of seconds in Retry-After',
        };
      },
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}
