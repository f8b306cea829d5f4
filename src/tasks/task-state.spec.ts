import { describe, expect, it } from 'vitest';
import {
  actionForTarget,
  checkMove,
  isLegalTransition,
  TASK_ACTIONS,
  TASK_STATUSES,
  type TaskStatus,
} from './task-state.js';

/** The contract's table, row by row: (from, to). */
const TABLE: [TaskStatus, TaskStatus][] = [
  ['pending', 'in_progress'],
  ['pending', 'blocked'],
  ['blocked', 'pending'],
  ['pending', 'cancelled'],
  ['blocked', 'cancelled'],
  ['in_progress', 'completed'],
  ['in_progress', 'failed'],
  ['in_progress', 'cancelled'],
  ['failed', 'pending'],
  ['cancelled', 'pending'],
];

describe('task state machine', () => {
  it('allows exactly the rows of the transition table', () => {
    for (const from of TASK_STATUSES)
      for (const to of TASK_STATUSES) {
        const expected = TABLE.some(([a, b]) => a === from && b === to);
        expect(isLegalTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
  });

  it('actions land where the table says, from where it says', () => {
    const allowed: Record<string, TaskStatus[]> = {
      start: ['pending'],
      complete: ['in_progress'],
      fail: ['in_progress'],
      cancel: ['pending', 'blocked', 'in_progress'],
      retry: ['failed', 'cancelled'],
    };
    for (const action of TASK_ACTIONS)
      for (const from of TASK_STATUSES) {
        const check = checkMove(action, from);
        const legal = allowed[action].includes(from);
        if (legal) {
          expect(check.ok).toBe(true);
          if (check.ok) expect(isLegalTransition(from, check.to)).toBe(true);
        } else if (action === 'complete' && from === 'completed') {
          expect(check).toEqual({ ok: true, to: 'completed', repeat: true });
        } else {
          expect(check.ok, `${action} from ${from}`).toBe(false);
          if (!check.ok) expect(check.message).toContain(from);
        }
      }
  });

  it('maps v1 target statuses to actions; blocked is automatic only', () => {
    expect(actionForTarget('in_progress')).toBe('start');
    expect(actionForTarget('completed')).toBe('complete');
    expect(actionForTarget('failed')).toBe('fail');
    expect(actionForTarget('cancelled')).toBe('cancel');
    expect(actionForTarget('pending')).toBe('retry');
    expect(actionForTarget('blocked')).toBeUndefined();
  });
});
