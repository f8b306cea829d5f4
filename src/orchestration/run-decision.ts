import type { TaskStatus } from '../tasks/task-state.js';
import { retryDueAt } from '../workflows/retry-policy.js';
import { awaitsRetry, isLost, type StepState } from '../workflows/run-state.js';
import type { FailurePolicy } from '../workflows/workflow-definition.js';

const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);

export interface RunDecision {
  /** What the run becomes now. */
  outcome: 'running' | 'completed' | 'failed';
  /** Steps to cancel: under fail_fast everything unfinished, else those that can never run. */
  cancel: string[];
  /** Lost steps, for the run's error. */
  lost: string[];
}

/**
 * The failure policy and the completion rule. A lost step under `fail_fast` fails
 * the run and cancels what has not finished; under `continue` only the steps
 * downstream of it are cancelled (they can never run) and independent branches go
 * on. The run ends when every step is terminal and none awaits a retry: completed
 * if all completed, failed otherwise.
 */
export function decideRun(steps: readonly StepState[], policy: FailurePolicy): RunDecision {
  const lost = steps.filter(isLost).map((step) => step.key);
  const unfinished = steps.filter((step) => !TERMINAL.has(step.status));
  if (lost.length && policy === 'fail_fast') {
    return { outcome: 'failed', cancel: unfinished.map((step) => step.key), lost };
  }
  const doomed = downstreamOf(steps, new Set(lost));
  const cancel = unfinished.filter((step) => doomed.has(step.key)).map((step) => step.key);
  const cancelled = new Set(cancel);
  const open = steps.some(
    (step) => (!TERMINAL.has(step.status) && !cancelled.has(step.key)) || awaitsRetry(step),
  );
  if (open) return { outcome: 'running', cancel, lost };
  const allCompleted = steps.every((step) => step.status === 'completed');
  return { outcome: allCompleted ? 'completed' : 'failed', cancel, lost };
}

/** Every step that depends, directly or not, on one of `roots`. */
export function downstreamOf(steps: readonly StepState[], roots: ReadonlySet<string>): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const step of steps)
    for (const dependency of step.dependsOn) {
      const list = dependents.get(dependency);
      if (list) list.push(step.key);
      else dependents.set(dependency, [step.key]);
    }
  const reached = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    for (const next of dependents.get(queue.pop()!) ?? []) {
      if (reached.has(next)) continue;
      reached.add(next);
      queue.push(next);
    }
  }
  return reached;
}

/** Failed steps whose retry is due at `now`, and when the others are due. */
export function retriesOf<S extends StepState>(
  steps: readonly S[],
  now: Date,
): { due: S[]; later: { step: S; at: Date }[] } {
  const due: S[] = [];
  const later: { step: S; at: Date }[] = [];
  for (const step of steps) {
    if (!awaitsRetry(step)) continue;
    const at = retryDueAt(step.completedAt ?? now, step.attempt);
    if (at.getTime() <= now.getTime()) due.push(step);
    else later.push({ step, at });
  }
  return { due, later };
}

/** Why a run failed, in a sentence. */
export function failureMessage(
  decision: RunDecision,
  steps: readonly (Pick<StepState, 'key' | 'status' | 'attempt'> & { error: string | null })[],
): string {
  const byKey = new Map(steps.map((step) => [step.key, step]));
  const first = byKey.get(decision.lost[0]);
  if (decision.lost.length === 1 && first)
    return first.status === 'cancelled'
      ? `Step "${first.key}" was cancelled`
      : `Step "${first.key}" failed after ${first.attempt} attempt(s): ${first.error ?? 'failed'}`;
  return `${decision.lost.length} step(s) did not complete: ${decision.lost
    .map((key) => `${key} (${byKey.get(key)?.status ?? 'lost'})`)
    .join(', ')}`;
}
