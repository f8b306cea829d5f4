import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/**
 * A worker module (`./x.worker.js`, relative to `callerUrl`) as Node can load it: beside the
 * caller when it is compiled, or under `dist/` when the caller runs from TypeScript sources.
 */
export function loadableWorkerPath(callerUrl: string, relative: string): string {
  const caller = fileURLToPath(callerUrl);
  const compiled = caller.endsWith('.ts')
    ? caller.replace(/([\\/])src([\\/])/, '$1dist$1src$2')
    : caller;
  return resolve(dirname(compiled), relative);
}

/**
 * CPU-heavy pure work off the event loop: one lazily started worker thread (the
 * machine's other cores serve requests), which ends after a minute without work.
 */
export class WorkerPool<Task, Result> {
  private pool: Piscina | undefined;

  /** `relative`: the worker module's path from `callerUrl` (the caller's `import.meta.url`). */
  constructor(
    private readonly callerUrl: string,
    private readonly relative: string,
  ) {}

  run(task: Task): Promise<Result> {
    this.pool ??= new Piscina({
      filename: loadableWorkerPath(this.callerUrl, this.relative),
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 60_000,
    });
    return this.pool.run(task) as Promise<Result>;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}
