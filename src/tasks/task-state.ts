/**
 * The task state machine of CONTRACT §3 "Tasks" (transition table), pure: v1 status
 * changes, v2 actions, bulk operations and agents' reports all go through it.
 */

export const TASK_STATUSES = [
  'pending',
  'in_progress',
  'completed',
  'failed',
  'blocked',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** What a caller may ask for; `blocked` and its release are automatic. */
export const TASK_ACTIONS = ['start', 'complete', 'fail', 'cancel', 'retry'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

const MOVES: Record<TaskAction, { from: readonly TaskStatus[]; to: TaskStatus }> = {
  start: { from: ['pending'], to: 'in_progress' },
  complete: { from: ['in_progress'], to: 'completed' },
  fail: { from: ['in_progress'], to: 'failed' },
  cancel: { from: ['pending', 'blocked', 'in_progress'], to: 'cancelled' },
  retry: { from: ['failed', 'cancelled'], to: 'pending' },
};

/** The automatic moves: a dependency failed or was cancelled, or was retried. */
export const AUTOMATIC_MOVES: readonly [TaskStatus, TaskStatus][] = [
  ['pending', 'blocked'],
  ['blocked', 'pending'],
];

/** A dependency in one of these blocks its pending dependents. */
export const BLOCKING_STATUSES: readonly TaskStatus[] = ['failed', 'cancelled'];

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

export type MoveCheck =
  { ok: true; to: TaskStatus; repeat: boolean } | { ok: false; message: string };

/**
 * May `action` happen to a task in `from`? A `complete` of a completed task is a
 * repeat that changes nothing (CONTRACT: answered 200); anything else off the table
 * is refused, naming the current state.
 */
export function checkMove(action: TaskAction, from: TaskStatus): MoveCheck {
  const move = MOVES[action];
  if (move.from.includes(from)) return { ok: true, to: move.to, repeat: false };
  if (action === 'complete' && from === 'completed')
    return { ok: true, to: 'completed', repeat: true };
  return {
    ok: false,
    message: `Cannot ${action} a task that is ${from}; ${action} applies to ${move.from.join(' or ')} tasks`,
  };
}

/** Every legal (from, to) pair, automatic moves included. */
export function isLegalTransition(from: TaskStatus, to: TaskStatus): boolean {
  return (
    Object.values(MOVES).some((move) => move.to === to && move.from.includes(from)) ||
    AUTOMATIC_MOVES.some(([a, b]) => a === from && b === to)
  );
}

/**
 * v1 `PATCH /status {status}` names a target, not an action: the action that reaches
 * it. `blocked` (and leaving it) are automatic only, so no action reaches them.
 */
export function actionForTarget(to: TaskStatus): TaskAction | undefined {
  switch (to) {
    case 'in_progress':
      return 'start';
    case 'completed':
      return 'complete';
    case 'failed':
      return 'fail';
    case 'cancelled':
      return 'cancel';
    case 'pending':
      return 'retry';
    default:
      return undefined;
  }
}

/** Actions an agent-bound key may take on a task assigned to its agent. */
export const AGENT_ACTIONS: readonly TaskAction[] = ['start', 'complete', 'fail'];

/**
 * Who made a change: a client (v1 and v2 routes, bulk operations, agents' reports), the
 * orchestrator (dispatch, retries, time-outs, run control) or the SubForge import.
 * Subscribers may ignore changes they made themselves.
 */
export type TaskChangeSource = 'client' | 'orchestration' | 'import';

/** A committed status change of a task, as subscribers hear of it. */
export interface TaskStatusChange {
  taskId: string;
  runId: string | null;
  stepKey: string | null;
  status: TaskStatus;
  previous: TaskStatus;
  /** The agent it is (or was, until this change) assigned to. */
  agentId: string | null;
  source: TaskChangeSource;
}
