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

/** The ETag express would give `json` (empty when the app sends none). */
function etagOf(response: Response, json: string): string {
  const generate = response.app.get('etag fn') as
    ((body: string, encoding: BufferEncoding) => string | undefined) | undefined;
  return generate?.(json, 'utf8') ?? '';
}

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
            // Stored as sent, with its ETag: a hit is answered without serialising or
            // hashing the body again.
            const json = JSON.stringify(body);
            const etag = etagOf(response, json);
            const entry = `${etag}\n${isPage(body) ? JSON.stringify(body.meta) : ''}\n${json}`;
            this.cache
              .set(key, entry, (options.ttlSeconds ?? this.config.cacheTtlSeconds) * 1000)
              .catch(() => undefined);
            return this.send(response, entry);
          }),
        );
      }),
    );
  }

  /**
   * Answers with a stored entry: `<ETag or empty>\n<page meta JSON or empty>\n<body JSON>`.
   * With the ETag set, express neither hashes the body nor misses a conditional request
   * (304 to a matching `If-None-Match`).
   */
  private send(response: Response, entry: string): string {
    const afterEtag = entry.indexOf('\n');
    const afterMeta = entry.indexOf('\n', afterEtag + 1);
    if (afterEtag > 0) response.setHeader('ETag', entry.slice(0, afterEtag));
    if (afterMeta > afterEtag + 1)
      setPaginationHeaders(response, JSON.parse(entry.slice(afterEtag + 1, afterMeta)) as PageMeta);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    return entry.slice(afterMeta + 1);
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
      // `e:` names the entry format (with its ETag): entries of an older format are never read.
      const key = `e:${options.families.join(',')}:${version}:${who}:${request.originalUrl}`;
      const hit = await this.cache.get(key);
      return { key, hit: hit ?? undefined };
    } catch (error) {
      this.logger.debug(`cache skipped: ${(error as Error).message}`);
      return {};
    }
  }
}
