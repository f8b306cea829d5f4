import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Finds code that takes a second pooled connection while its transaction holds one
 * (and often a row lock): under more concurrent requests than the pool has connections,
 * every holder waits for a connection none will free, and requests fail with 503. Every
 * app a test starts in its own process records such a moment; closing it fails the suite
 * if one was seen. (Transactions begun by hand on a query runner are not watched.)
 */
interface Open {
  done: boolean;
}

const inside = new AsyncLocalStorage<Open>();
const seen: string[] = [];
let patched = false;

type Transaction = (...args: unknown[]) => Promise<unknown>;

export function guardTransactions(dataSource: DataSource): void {
  if (!patched) {
    patched = true;
    const original = EntityManager.prototype.transaction as unknown as Transaction;
    (EntityManager.prototype as unknown as { transaction: Transaction }).transaction = function (
      this: EntityManager,
      ...args: unknown[]
    ) {
      // A manager of a transaction runs a nested one on the same connection.
      if (this.queryRunner) return original.apply(this, args);
      const index = args.findIndex((arg) => typeof arg === 'function');
      if (index < 0) return original.apply(this, args);
      const work = args[index] as (manager: EntityManager) => Promise<unknown>;
      const state: Open = { done: false };
      // Until the callback settles: work it started and left running is not its wait.
      args[index] = (manager: EntityManager) =>
        inside.run(state, () =>
          work(manager).finally(() => {
            state.done = true;
          }),
        );
      return original.apply(this, args);
    };
  }
  const pool = (dataSource.driver as unknown as { master: { connect: Transaction } }).master;
  const connect = pool.connect.bind(pool);
  pool.connect = (...args: unknown[]) => {
    const state = inside.getStore();
    if (state && !state.done) {
      // Deep enough to reach our code beneath pg-pool's and TypeORM's frames.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      seen.push(new Error('a second pooled connection taken inside a transaction').stack ?? '');
      Error.stackTraceLimit = limit;
    }
    return connect(...args);
  };
}

/** Runs `work` as another client would, outside the transaction the caller is in. */
export function asAnotherClient<T>(work: () => T): T {
  return inside.exit(work);
}

/** What was seen since the last call. */
export function secondConnections(): string[] {
  return seen.splice(0);
}
