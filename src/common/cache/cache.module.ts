import { CacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import Keyv from 'keyv';
import { RedisService } from '../../redis/redis.service.js';
import { CacheVersions } from './cache-versions.service.js';
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
  providers: [CacheVersions],
  // `@Cached` routes build their HttpCacheInterceptor in their own module: it needs both.
  exports: [CacheVersions, CacheModule],
})
export class ResponseCacheModule {}
