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
import { from, map, Observable, of, switchMap } from 'rxjs';
import { isPage, type PageMeta } from '../pagination/page.js';
import { setPaginationHeaders } from '../pagination/pagination-headers.js';
import type { CallerRequest } from '../http/caller.js';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import { CacheVersions } from './cache-versions.service.js';
import type { CachedOptions } from './cached.decorator.js';

/** The metadata `@Cached` puts on a route: its `CachedOptions`. */
export const CACHED = 'subforge:cached';

/**
 * Serves GET routes marked @Cached (which applies it to them alone) from Redis. The key
 * holds the families' versions (read-your-writes on every instance) and the caller's role
 * or identity (no entry crosses a visibility boundary). Redis trouble means a plain,
 * uncached read.
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
    const request = context.switchToHttp().getRequest<CallerRequest>();
    if (!options || request.method !== 'GET') return next.handle();
    const response = context.switchToHttp().getResponse<Response>();

    return from(this.lookup(options, request)).pipe(
      switchMap(({ key, hit }) => {
        if (typeof hit === 'string') {
          response.setHeader('X-Cache', 'HIT');
          return of(this.send(response, hit));
        }
        response.setHeader('X-Cache', 'MISS');
        return next.handle().pipe(
          map((body) => {
            if (!key || response.statusCode !== 200 || body === undefined) return body;
            // Stored as sent: a hit is answered without parsing and serialising the body again.
            const entry = `${isPage(body) ? JSON.stringify(body.meta) : ''}\n${JSON.stringify(body)}`;
            this.cache
              .set(key, entry, (options.ttlSeconds ?? this.config.cacheTtlSeconds) * 1000)
              .catch(() => undefined);
            return this.send(response, entry);
          }),
        );
      }),
    );
  }

  /** Answers with a stored entry: `<page meta JSON or empty>\n<body JSON>`. */
  private send(response: Response, entry: string): string {
    const newline = entry.indexOf('\n');
    if (newline > 0)
      setPaginationHeaders(response, JSON.parse(entry.slice(0, newline)) as PageMeta);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    return entry.slice(newline + 1);
  }

  private async lookup(
    options: CachedOptions,
    request: CallerRequest,
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
