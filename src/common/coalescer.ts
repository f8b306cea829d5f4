/**
 * Runs `work` over keys asked for, merging the requests that arrive while a run is
 * in progress into the next run: a burst of N requests costs one or two runs, not N.
 * Every caller's promise settles after a run that started after its request, so it
 * sees whatever the caller had committed before asking.
 */
export class Coalescer<K> {
  private readonly asked = new Set<K>();
  private waiters: { resolve(): void; reject(error: unknown): void }[] = [];
  private draining = false;

  constructor(private readonly work: (keys: K[]) => Promise<void>) {}

  request(keys: Iterable<K>): Promise<void> {
    for (const key of keys) this.asked.add(key);
    if (!this.asked.size) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.draining) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.asked.size) {
      const keys = [...this.asked];
      this.asked.clear();
      const waiters = this.waiters;
      this.waiters = [];
      try {
        await this.work(keys);
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.draining = false;
  }
}
