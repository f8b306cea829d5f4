import { Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import { RedisService } from '../../redis/redis.service.js';

/**
 * Fixed-window counter in Redis, one round trip per request (a Lua script), so
 * limits hold across instances and cost O(1) whatever the number of hits.
 * KEYS[1] counter, KEYS[2] block marker; ARGV ttl ms, limit, block ms.
 */
const INCREMENT_SCRIPT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, redis.call('PTTL', KEYS[1]), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(private readonly redis: RedisService) {
    this.redis.client.defineCommand('subforgeThrottle', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    try {
      const client = this.redis.client as unknown as {
        subforgeThrottle(
          k1: string,
          k2: string,
          ttl: number,
          limit: number,
          block: number,
        ): Promise<number[]>;
      };
      const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = await client.subforgeThrottle(
        this.redis.key('rl', key),
        this.redis.key('rl', key, 'blocked'),
        ttl,
        limit,
        blockDuration || ttl,
      );
      return {
        totalHits,
        timeToExpire: Math.ceil(timeToExpire / 1000),
        isBlocked: isBlocked === 1,
        timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
      };
    } catch (error) {
      // Redis is away: step aside rather than fail the request.
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`rate limiting skipped, Redis unavailable: ${(error as Error).message}`);
      }
      return {
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
  }
}
