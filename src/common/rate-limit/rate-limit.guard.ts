import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface.js';
import type { CallerRequest } from '../http/caller.js';

/**
 * @nestjs/throttler, counted per credential when the caller authenticated (the
 * authentication guard runs first) and per client IP otherwise.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as unknown as CallerRequest).principal;
    if (principal && principal.kind !== 'anonymous') return `${principal.kind}:${principal.id}`;
    return `ip:${(req as unknown as CallerRequest).ip ?? 'unknown'}`;
  }

  /** A 429 carries the same X-RateLimit-* headers as every other answer, plus Retry-After. */
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'X-RateLimit-Limit', detail.limit);
    this.setResponseHeader(res, 'X-RateLimit-Remaining', 0);
    this.setResponseHeader(
      res,
      'X-RateLimit-Reset',
      detail.timeToBlockExpire || detail.timeToExpire,
    );
    return super.throwThrottlingException(context, detail);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }
}
