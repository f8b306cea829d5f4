import { SetMetadata } from '@nestjs/common';
import type { RateLimits } from '../../config/config.js';

export const RATE_LIMIT_CLASS = 'subforge:rate-limit-class';

/**
 * Puts a route in a rate-limit class (requests per minute per client, from
 * RATE_LIMIT_<CLASS>). Without one, GET routes are `read` and the others `write`.
 */
export const RateLimit = (limitClass: keyof RateLimits) =>
  SetMetadata(RATE_LIMIT_CLASS, limitClass);
