import type { TaskStatus } from '../tasks/task-state.js';
import type { FailurePolicy } from './workflow-definition.js';
import { canRetry, retryDueAt } from './retry-policy.js';

/**
 * Runs, pure: their states and moves, counters and progress from the steps' task
 * states, and what the orchestrator must do next given those states.
 */
export const RUN_STATUSES = [
  'scheduled',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_SOURCES = ['api', 'subforge'] as const;
export type RunSource = (typeof RUN_SOURCES)[number];

export const RUN_ACTIONS = ['start', 'pause', 'resume', 'cancel', 'retry'] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

/** Runs in these still have work ahead (a workflow with one cannot be deleted). */
export const UNFINISHED_RUN_STATUSES: readonly RunStatus[] = ['scheduled', 'running', 'paused'];
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

const RUN_MOVES: Record<RunAction, { from: readonly RunStatus[]; to: RunStatus }> = {
  start: { from: ['scheduled'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['scheduled', 'running', 'paused'], to: 'cancelled' },
  retry: { from: ['failed', 'cancelled'], to: 'running' },
};

export type RunMoveCheck = { ok: true; to: RunStatus } | { ok: false; message: string };

export function checkRunMove(action: RunAction, from: RunStatus): RunMoveCheck {
  const move = RUN_MOVES[action];
  if (move.from.includes(from)) return { ok: true, to: move.to };
  return {
    ok: false,
    message: `Cannot ${action} a run that is ${from}; ${action} applies to ${move.from.join(' or ')} runs`,
  };
}

export interface RunCounters {
  total: number;
  /** Waiting for dependencies, an agent or a retry (`pending` and `blocked` tasks). */
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** Counts steps by the state of their task. */
export function countSteps(statuses: readonly TaskStatus[]): RunCounters {
  const counters: RunCounters = {
    total: statuses.length,
    pending: 0,
    running: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
  for (const status of statuses) {
    if (status === 'pending' || status === 'blocked') counters.pending++;
    else if (status === 'in_progress') counters.running++;
    else counters[status]++;
  }
  return counters;
}

/** Share of steps completed, 0-100 with two decimals; a run without steps is done. */
export function progressOf(counters: RunCounters): number {
  if (counters.total === 0) return 100;
  return Math.round((counters.completed / counters.total) * 10_000) / 100;
}

export interface StepState {
  key: string;
  status: TaskStatus;
  attempt: number;
  maxAttempts: number;
  retryable: boolean | null;
  dependsOn: readonly string[];
  /** When the task last reached a terminal state. */
  completedAt: Date | null;
}

const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);

/** A failed step that will be tried again. */
export function awaitsRetry(step: StepState): boolean {
  return step.status === 'failed' && canRetry(step);
}

/** A step that will never complete in this run: failed for good, or cancelled. */
export function isLost(step: StepState): boolean {
  return step.status === 'cancelled' || (step.status === 'failed' && !canRetry(step));
}

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
