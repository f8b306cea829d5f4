import { WorkerPool } from '../common/structured/worker-pool.js';
import { checkConfigText, type ConfigCheckResult, type ConfigCheckTask } from './config-check.js';

/** Texts up to this size parse in a few milliseconds: not worth a thread hop. */
const INLINE_LIMIT_CHARS = 32 * 1024;

const pool = new WorkerPool<ConfigCheckTask, ConfigCheckResult>(
  import.meta.url,
  './config-check.worker.js',
);

/** checkConfigText, with large texts parsed on a worker thread so the event loop stays free. */
export function checkConfigTextOffThread(task: ConfigCheckTask): Promise<ConfigCheckResult> {
  if (task.text.length <= INLINE_LIMIT_CHARS) return Promise.resolve(checkConfigText(task));
  return pool.run(task);
}

/** Ends the worker thread (shutdown). */
export function closeConfigCheckPool(): Promise<void> {
  return pool.close();
}
