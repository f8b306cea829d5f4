import { CACHE_MANAGER } from '@nestjs/cache-manager';
import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import type { Response } from 'express';
import { from, Observable, of, switchMap, tap } from 'rxjs';
import type { AuthenticatedRequest } from '../../auth/auth.decorator.js';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import { CacheVersions } from './cache-versions.service.js';
import { CACHED, CachedOptions } from './cached.decorator.js';

/**
 * Serves GET routes marked @Cached from Redis. The key holds the families' versions
 * (read-your-writes on every instance) and the caller's role or identity (no entry
 * crosses a visibility boundary). Redis trouble means a plain, uncached read.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Cache');

  constructor(
    private readonly reflector: Reflector,
    private readonly versions: CacheVersions,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.config.cacheEnabled || context.getType() !== 'http') return next.handle();
    const options = this.reflector.get<CachedOptions | undefined>(CACHED, context.getHandler());
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!options || request.method !== 'GET') return next.handle();
    const response = context.switchToHttp().getResponse<Response>();

    return from(this.lookup(options, request)).pipe(
      switchMap(({ key, hit }) => {
        if (hit !== undefined) {
          response.setHeader('X-Cache', 'HIT');
          return of(hit);
        }
        response.setHeader('X-Cache', 'MISS');
        return next.handle().pipe(
          tap((body) => {
            if (key && response.statusCode === 200) {
              this.cache.set(key, body, options.ttlSeconds * 1000).catch(() => undefined);
            }
          }),
        );
      }),
    );
  }

  private async lookup(
    options: CachedOptions,
    request: AuthenticatedRequest,
  ): Promise<{ key?: string; hit?: unknown }> {
    try {
      const version = await this.versions.current(options.families);
      const principal = request.principal;
      const who =
        options.scope === 'principal'
          ? `${principal?.kind}:${principal?.id}`
          : `${principal?.role ?? 'anonymous'}${principal?.agentId ? `:${principal.agentId}` : ''}`;
      const key = `${options.families.join(',')}:${version}:${who}:${request.originalUrl}`;
      const hit = await this.cache.get(key);
      return { key, hit: hit ?? undefined };
    } catch (error) {
      this.logger.debug(`cache skipped: ${(error as Error).message}`);
      return {};
    }
  }
}
