import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { CACHED, HttpCacheInterceptor } from './http-cache.interceptor.js';

/**
 * Resource families whose writes change a cached response. Every domain event bumps
 * the version of its families; the version is part of the cache key, so the next
 * read after a write misses on every instance.
 */
export type CacheFamily =
  | 'agents'
  | 'tasks'
  | 'workflows'
  | 'files'
  | 'jobs'
  | 'system'
  | 'users'
  | 'websocket'
  | 'subforge';

export interface CachedOptions {
  families: CacheFamily[];
  /** Unset: CACHE_TTL_SECONDS. */
  ttlSeconds?: number;
  /** `role`: responses differ only by role (and agent for agent keys); `principal`: by caller. */
  scope?: 'role' | 'principal';
}

/**
 * Caches a GET response in Redis (X-Cache: HIT|MISS). The interceptor is the route's own,
 * not global: routes that are not cached do not pass through it.
 */
export function Cached(options: CachedOptions) {
  return applyDecorators(
    SetMetadata(CACHED, { scope: 'role', ...options } satisfies CachedOptions),
    UseInterceptors(HttpCacheInterceptor),
    ApiHeader({
      name: 'X-Cache',
      required: false,
      description: 'Response header: HIT or MISS (cached read)',
    }),
  );
}
