import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-errors.js';
import { RedisService } from '../redis/redis.service.js';
import { sha256Hex } from './secrets.js';

const WINDOW_SECONDS = 15 * 60;
/** CONTRACT §3: 5 failures per (email, client IP), 50 per client IP, within 15 minutes. */
const MAX_FAILURES_PER_EMAIL_AND_IP = 5;
const MAX_FAILURES_PER_IP = 50;

export class LoginLockedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'Too many failed sign-ins; try again later', undefined, {
      retry_after: retryAfterSeconds,
    });
  }
}

/**
 * Brute-force protection for password sign-in: after too many failures for one
 * email from one IP (or from one IP at all) within 15 minutes, sign-in from there is
 * refused until the window passes. Counting per (email, IP) means a stranger's
 * failures never lock the account's owner out. Counters live in Redis so every
 * instance sees them.
 */
@Injectable()
export class LoginProtectionService {
  private readonly logger = new Logger('LoginProtection');

  constructor(private readonly redis: RedisService) {}

  private keys(email: string, ip: string): [string, string] {
    return [
      this.redis.key('login', 'email-ip', sha256Hex(`${email}\n${ip}`)),
      this.redis.key('login', 'ip', ip),
    ];
  }

  async assertAllowed(email: string, ip: string): Promise<void> {
    const [emailKey, ipKey] = this.keys(email, ip);
    let counts: (string | null)[];
    let ttls: number[];
    try {
      counts = await this.redis.client.mget(emailKey, ipKey);
      ttls = await Promise.all([this.redis.client.ttl(emailKey), this.redis.client.ttl(ipKey)]);
    } catch (error) {
      this.logger.warn(`sign-in limits skipped, Redis unavailable: ${(error as Error).message}`);
      return;
    }
    if (Number(counts[0] ?? 0) >= MAX_FAILURES_PER_EMAIL_AND_IP)
      throw new LoginLockedError(Math.max(ttls[0], 1));
    if (Number(counts[1] ?? 0) >= MAX_FAILURES_PER_IP)
      throw new LoginLockedError(Math.max(ttls[1], 1));
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const pipeline = this.redis.client.pipeline();
    for (const key of this.keys(email, ip)) pipeline.incr(key).expire(key, WINDOW_SECONDS, 'NX');
    await pipeline.exec().catch(() => undefined);
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    await this.redis.client.del(this.keys(email, ip)[0]).catch(() => undefined);
  }
}
