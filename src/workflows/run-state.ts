import type { TaskStatus } from '../tasks/task-state.js';
import { canRetry } from './retry-policy.js';

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

/** How an attempt of a step ended when it did not complete (its dispatch row keeps it). */
export type SupersededOutcome = 'failed' | 'timed_out' | 'cancelled';

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

/** A failed step that will be tried again. */
export function awaitsRetry(step: StepState): boolean {
  return step.status === 'failed' && canRetry(step);
}

/** A step that will never complete in this run: failed for good, or cancelled. */
export function isLost(step: StepState): boolean {
  return step.status === 'cancelled' || (step.status === 'failed' && !canRetry(step));
}
