interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/**
 * Serves requests for keys in batches, one batch at a time: the keys asked for while
 * a batch is being served make up the next one, so a burst of N requests costs a few
 * batches instead of N round trips, and a lone request goes out at once. Each answer
 * comes from a batch that started after it was asked for: it reflects everything the
 * caller had committed before asking.
 */
export class Batcher<K, V = void> {
  private queued = new Map<K, Waiter<V>[]>();
  private serving = false;

  /** `serve` answers a batch of keys; a key it leaves out is answered `undefined`. */
  constructor(
    private readonly serve: (keys: K[]) => Promise<Map<K, V> | void>,
    private readonly maxBatch = 500,
  ) {}

  ask(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiters = this.queued.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.queued.set(key, [{ resolve, reject }]);
      if (!this.serving) void this.drain();
    });
  }

  async askAll(keys: Iterable<K>): Promise<void> {
    await Promise.all([...new Set(keys)].map((key) => this.ask(key)));
  }

  private async drain(): Promise<void> {
    this.serving = true;
    // The keys asked for in the same turn as the first one join its batch.
    await Promise.resolve();
    while (this.queued.size) {
      const batch = new Map([...this.queued].slice(0, this.maxBatch));
      for (const key of batch.keys()) this.queued.delete(key);
      try {
        const answers = await this.serve([...batch.keys()]);
        for (const [key, waiters] of batch)
          for (const waiter of waiters) waiter.resolve(answers?.get(key));
      } catch (error) {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.serving = false;
  }
}
