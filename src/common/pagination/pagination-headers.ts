import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';
import { isPage, type PageMeta } from './page.js';

export function setPaginationHeaders(response: Response, { total, skip, limit }: PageMeta): void {
  response.setHeader('X-Total-Count', total);
  response.setHeader('X-Page-Size', limit);
  response.setHeader('X-Current-Page', Math.floor(skip / limit) + 1);
  response.setHeader('X-Total-Pages', Math.ceil(total / limit));
}

/**
 * Express as Nest drives it, plus one rule: every v2 list answer (a `Page` body) carries
 * X-Total-Count, X-Page-Size, X-Current-Page and X-Total-Pages. Set where the body is
 * sent rather than by a global interceptor, so routes that answer something else pay
 * nothing for it (an interceptor wraps every handler in RxJS). Cached pages are sent as
 * text and get their headers from the cache (`HttpCacheInterceptor`).
 */
export class PagedExpressAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (isPage(body)) setPaginationHeaders(response, body.meta);
    return super.reply(response, body, statusCode);
  }
}
