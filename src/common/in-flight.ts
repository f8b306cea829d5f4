import { withTimeout } from './async.js';

/**
 * Keeps the fire-and-forget work a service started (listeners run after a commit),
 * so that shutdown and tests can wait for it to end.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Runs `work` without making the caller wait; its failure goes to `onError`. */
  start(work: () => Promise<unknown>, onError: (error: Error) => void): void {
    const promise = work()
      .catch(onError)
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  /**
   * Resolves once everything started, and anything it started in turn, has ended;
   * or after `maxMs`, when given (shutdown does not wait on a hung listener).
   */
  async settled(maxMs?: number): Promise<void> {
    const all = (async () => {
      while (this.running.size) await Promise.allSettled([...this.running]);
    })();
    if (maxMs === undefined) return all;
    await withTimeout(all, maxMs, 'still running').catch(() => undefined);
  }

  /** Nothing started is still running. */
  get idle(): boolean {
    return this.running.size === 0;
  }
}
