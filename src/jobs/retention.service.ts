import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Data kept only for a while. Each module registers what it keeps, and
 * `system.cleanup` purges all of it: `purgeBatch(olderThanDays, limit)` deletes at
 * most `limit` rows older than the requested age (or than the data's own
 * retention: events keep EVENT_RETENTION_DAYS whatever is asked) through the
 * given transaction and returns how many went; the job calls it until it returns
 * 0, saving its count in the same transaction so a crash never miscounts.
 */
export interface RetentionPolicy {
  name: string;
  purgeBatch(olderThanDays: number, limit: number, within: EntityManager): Promise<number>;
}

@Injectable()
export class RetentionRegistry {
  private readonly policies = new Map<string, RetentionPolicy>();

  register(policy: RetentionPolicy): void {
    this.policies.set(policy.name, policy);
  }

  list(): RetentionPolicy[] {
    return [...this.policies.values()];
  }
}
