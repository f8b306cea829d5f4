import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '../../redis/redis.service.js';
import { Batcher } from '../batcher.js';
import type { CacheFamily } from './cached.decorator.js';

/** Per-family version counters in Redis: bumping one makes every cached read of it stale. */
@Injectable()
export class CacheVersions {
  private readonly logger = new Logger('Cache');
  /** Bumps asked for while one is in flight are made together after it. */
  private readonly bumps = new Batcher<CacheFamily>(async (families) => {
    try {
      const pipeline = this.redis.client.pipeline();
      for (const family of families) pipeline.incr(this.key(family));
      await pipeline.exec();
    } catch (error) {
      // Without Redis there is no cache to invalidate either.
      this.logger.warn(`cache invalidation skipped: ${(error as Error).message}`);
    }
  });

  constructor(private readonly redis: RedisService) {}

  private key(family: CacheFamily): string {
    return this.redis.key('cache', 'v', family);
  }

  async current(families: CacheFamily[]): Promise<string> {
    const versions = await this.redis.client.mget(...families.map((family) => this.key(family)));
    return versions.map((version) => version ?? '0').join('.');
  }

  /**
   * Called before a write is acknowledged, so the writer's next read is fresh everywhere.
   * A burst of writes (a thousand heartbeats a second) costs a few INCRs, not one each;
   * each caller's comes after its write.
   */
  async bump(families: Iterable<CacheFamily>): Promise<void> {
    await this.bumps.askAll(families);
  }
}
