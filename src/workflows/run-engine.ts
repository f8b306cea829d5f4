import type { TaskTransaction } from '../tasks/task-commands.service.js';
import type { RunStatus } from './run-state.js';

/**
 * What run control (execute, pause, resume, cancel, retry) needs of the workflow
 * engine. `src/orchestration/` builds on workflows and provides it; workflows depends
 * on this contract alone, so the two folders import one way only.
 */
export abstract class RunEngine {
  /** Asks the workers to move the run forward now. */
  abstract request(runId: string): Promise<void>;
  /** ... at `at` (a scheduled start, a retry's backoff), once per `onceKey`. */
  abstract requestAt(runId: string, at: Date, onceKey: string): Promise<void>;
  /** Cancels the run's unfinished steps (all, or those named) inside the caller's transaction. */
  abstract cancelSteps(
    tx: TaskTransaction,
    runId: string,
    stepKeys: string[] | null,
  ): Promise<number>;
  /** Applies the failure policy and the completion rule under the run's lock. */
  abstract settle(runId: string): Promise<RunStatus | null>;
}
