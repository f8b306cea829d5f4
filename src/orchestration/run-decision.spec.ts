import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../tasks/task-state.js';
import { checkRunMove, countSteps, progressOf, type StepState } from '../workflows/run-state.js';
import { decideRun, downstreamOf, failureMessage, retriesOf } from './run-decision.js';

const step = (
  key: string,
  status: TaskStatus,
  dependsOn: string[] = [],
  extra: Partial<StepState> = {},
): StepState => ({
  key,
  status,
  attempt: 1,
  maxAttempts: 4,
  retryable: null,
  dependsOn,
  completedAt: null,
  ...extra,
});

/** A → B, C → D */
const diamond = (
  a: TaskStatus,
  b: TaskStatus,
  c: TaskStatus,
  d: TaskStatus,
  extra: Partial<StepState> = {},
) => [
  step('a', a, [], extra),
  step('b', b, ['a'], extra),
  step('c', c, ['a'], extra),
  step('d', d, ['b', 'c'], extra),
];

describe('run state', () => {
  it('counts steps by task state, blocked as pending', () => {
    expect(
      countSteps([
        'pending',
        'blocked',
        'in_progress',
        'completed',
        'completed',
        'failed',
        'cancelled',
      ]),
    ).toEqual({
      total: 7,
      pending: 2,
      running: 1,
      completed: 2,
      failed: 1,
      cancelled: 1,
    });
  });

  it('progress is the share of completed steps; an empty run is done', () => {
    expect(progressOf(countSteps(['completed', 'pending', 'pending']))).toBe(33.33);
    expect(progressOf(countSteps(['completed', 'completed']))).toBe(100);
    expect(progressOf(countSteps([]))).toBe(100);
  });

  it('allows only the moves of the run lifecycle', () => {
    expect(checkRunMove('pause', 'running')).toEqual({ ok: true, to: 'paused' });
    expect(checkRunMove('resume', 'paused')).toEqual({ ok: true, to: 'running' });
    expect(checkRunMove('retry', 'failed')).toEqual({ ok: true, to: 'running' });
    expect(checkRunMove('cancel', 'scheduled')).toEqual({ ok: true, to: 'cancelled' });
    const refused = checkRunMove('pause', 'completed');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toContain('running');
    expect(checkRunMove('retry', 'running').ok).toBe(false);
  });

  describe('decideRun', () => {
    it('keeps running while steps are open and completes when all completed', () => {
      expect(
        decideRun(diamond('completed', 'in_progress', 'pending', 'pending'), 'fail_fast'),
      ).toEqual({
        outcome: 'running',
        cancel: [],
        lost: [],
      });
      expect(
        decideRun(diamond('completed', 'completed', 'completed', 'completed'), 'fail_fast').outcome,
      ).toBe('completed');
    });

    it('a failed step with retries left keeps the run going under both policies', () => {
      for (const policy of ['fail_fast', 'continue'] as const)
        expect(decideRun(diamond('completed', 'failed', 'in_progress', 'blocked'), policy)).toEqual(
          {
            outcome: 'running',
            cancel: [],
            lost: [],
          },
        );
    });

    it('fail_fast: a step failed for good fails the run and cancels what has not finished', () => {
      const steps = diamond('completed', 'failed', 'in_progress', 'blocked', { attempt: 4 });
      steps[0].attempt = 1;
      expect(decideRun(steps, 'fail_fast')).toEqual({
        outcome: 'failed',
        cancel: ['c', 'd'],
        lost: ['b'],
      });
    });

    it('an agent saying a retry cannot help ends the step at once', () => {
      const steps = diamond('completed', 'failed', 'completed', 'blocked');
      steps[1].retryable = false;
      expect(decideRun(steps, 'fail_fast').outcome).toBe('failed');
    });

    it('continue: only the steps downstream are cancelled; the run fails once the rest finished', () => {
      const steps = [
        step('a', 'failed', [], { attempt: 2, maxAttempts: 2 }),
        step('a2', 'pending', ['a']),
        step('a3', 'pending', ['a2']),
        step('x', 'in_progress'),
        step('y', 'pending', ['x']),
      ];
      expect(decideRun(steps, 'continue')).toEqual({
        outcome: 'running',
        cancel: ['a2', 'a3'],
        lost: ['a'],
      });
      const finalStatus = (key: string): TaskStatus =>
        key === 'a' ? 'failed' : key.startsWith('a') ? 'cancelled' : 'completed';
      const finished = steps.map((s) => ({ ...s, status: finalStatus(s.key) }));
      expect(decideRun(finished, 'continue').outcome).toBe('failed');
    });

    it('a cancelled step counts as lost', () => {
      expect(
        decideRun(diamond('completed', 'cancelled', 'completed', 'blocked'), 'continue'),
      ).toEqual({
        outcome: 'failed',
        cancel: ['d'],
        lost: ['b'],
      });
    });
  });

  it('finds everything downstream, transitively', () => {
    expect([
      ...downstreamOf(diamond('pending', 'pending', 'pending', 'pending'), new Set(['b'])),
    ]).toEqual(['d']);
    expect(
      [...downstreamOf(diamond('pending', 'pending', 'pending', 'pending'), new Set(['a']))].sort(),
    ).toEqual(['b', 'c', 'd']);
  });

  it('splits retries into due now and later', () => {
    const now = new Date('2030-01-01T00:00:10.000Z');
    const steps = [
      step('due', 'failed', [], { attempt: 1, completedAt: new Date('2030-01-01T00:00:08.000Z') }),
      step('later', 'failed', [], {
        attempt: 3,
        completedAt: new Date('2030-01-01T00:00:08.000Z'),
      }),
      step('done', 'failed', [], { attempt: 4, completedAt: new Date('2030-01-01T00:00:00.000Z') }),
    ];
    const { due, later } = retriesOf(steps, now);
    expect(due.map((s) => s.key)).toEqual(['due']);
    expect(later.map((l) => [l.step.key, l.at.toISOString()])).toEqual([
      ['later', '2030-01-01T00:00:12.000Z'],
    ]);
  });

  it('says why a run failed', () => {
    const steps = [
      { key: 'a', status: 'failed' as const, attempt: 2, error: 'Timed out after 1 s (attempt 2)' },
      { key: 'b', status: 'cancelled' as const, attempt: 1, error: null },
    ];
    expect(failureMessage({ outcome: 'failed', cancel: [], lost: ['a'] }, steps)).toBe(
      'Step "a" failed after 2 attempt(s): Timed out after 1 s (attempt 2)',
    );
    expect(failureMessage({ outcome: 'failed', cancel: [], lost: ['a', 'b'] }, steps)).toBe(
      '2 step(s) did not complete: a (failed), b (cancelled)',
    );
  });
});
