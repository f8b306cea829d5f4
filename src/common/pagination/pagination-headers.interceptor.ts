import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, tap } from 'rxjs';
import { isPage, type PageMeta } from './page.js';

export function setPaginationHeaders(response: Response, { total, skip, limit }: PageMeta): void {
  response.setHeader('X-Total-Count', total);
  response.setHeader('X-Page-Size', limit);
  response.setHeader('X-Current-Page', Math.floor(skip / limit) + 1);
  response.setHeader('X-Total-Pages', Math.ceil(total / limit));
}

/** Every v2 list answer carries X-Total-Count, X-Page-Size, X-Current-Page and X-Total-Pages. */
@Injectable()
export class PaginationHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap((body) => {
        if (context.getType() !== 'http' || !isPage(body)) return;
        setPaginationHeaders(context.switchToHttp().getResponse<Response>(), body.meta);
      }),
    );
  }
}
