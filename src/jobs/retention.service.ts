import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Data kept only for a while. Each module registers what it keeps, and
 * `system.cleanup` purges all of it: `purgeBatch(olderThanDays, limit)` deletes at
 * most `limit` rows older than the requested age (or than the data's own
 * retention: events keep EVENT_RETENTION_DAYS whatever is asked) through the
 * given transaction and returns how many went.
 */
export interface RetentionPolicy {
  name: string;
  purgeBatch(olderThanDays: number, limit: number, within: EntityManager): Promise<number>;
}

/** Rows per transaction: long deletions never hold one big lock. */
const BATCH = 1_000;

export interface PurgeOptions {
  /** Counts of an earlier, interrupted purge to go on from. */
  resume?: Record<string, number>;
  /** Stops between batches once aborted. */
  signal?: AbortSignal;
  /** Runs in each batch's transaction with the counts including it, so they commit together. */
  checkpoint?: (deleted: Record<string, number>, manager: EntityManager) => Promise<void>;
  /** After each batch and each finished policy: percent done and what happened. */
  progress?: (percent: number, message: string) => Promise<void>;
}

@Injectable()
export class RetentionRegistry {
  private readonly policies = new Map<string, RetentionPolicy>();

  constructor(private readonly dataSource: DataSource) {}

  register(policy: RetentionPolicy): void {
    this.policies.set(policy.name, policy);
  }

  /**
   * Purges every policy, batch by batch, each batch in its own transaction;
   * returns the rows deleted per policy (exact: a count commits with its rows).
   */
  async purgeAll(
    olderThanDays: number,
    options: PurgeOptions = {},
  ): Promise<Record<string, number>> {
    const deleted: Record<string, number> = { ...options.resume };
    const policies = [...this.policies.values()];
    for (const [index, policy] of policies.entries()) {
      deleted[policy.name] ??= 0;
      for (;;) {
        if (options.signal?.aborted) throw new Error('purge interrupted');
        const count = await this.dataSource.transaction(async (manager) => {
          const purged = await policy.purgeBatch(olderThanDays, BATCH, manager);
          if (purged && options.checkpoint)
            await options.checkpoint(
              { ...deleted, [policy.name]: deleted[policy.name] + purged },
              manager,
            );
          return purged;
        });
        if (!count) break;
        deleted[policy.name] += count;
        await options.progress?.(
          ((index + 0.5) / policies.length) * 100,
          `${policy.name}: ${deleted[policy.name]} deleted`,
        );
      }
      await options.progress?.(((index + 1) / policies.length) * 100, `${policy.name} done`);
    }
    return deleted;
  }
}
