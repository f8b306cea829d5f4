import { CacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import Keyv from 'keyv';
import { RedisService } from '../../redis/redis.service.js';
import { PaginationHeadersInterceptor } from '../pagination/pagination-headers.interceptor.js';
import { CacheVersions } from './cache-versions.service.js';
import { HttpCacheInterceptor } from './http-cache.interceptor.js';
import { deserializeEntry, RedisKeyvStore, serializeEntry } from './redis-keyv.store.js';

@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [RedisService],
      useFactory: (redis: RedisService) => ({
        stores: [
          new Keyv({
            store: new RedisKeyvStore(redis.client, redis.key('cache', 'entry', '')),
            useKeyPrefix: false,
            // Responses are stored as their JSON text, not encoded a second time (see serializeEntry).
            serialize: serializeEntry,
            deserialize: (data: string) => deserializeEntry(data) as never,
          }),
        ],
      }),
    }),
  ],
  providers: [
    CacheVersions,
    // Order matters: pagination headers wrap the cache, so cached lists get them too.
    { provide: APP_INTERCEPTOR, useClass: PaginationHeadersInterceptor },
    { provide: APP_INTERCEPTOR, useClass: HttpCacheInterceptor },
  ],
  exports: [CacheVersions],
})
export class ResponseCacheModule {}
