import { describe, expect, it } from 'vitest';
import { readContext } from './context.js';
import { mapRun } from './run-mapping.js';

describe('mapRun: a SubForge context as a workflow run', () => {
  it('makes one step per phase and per task, with their states and the tasks’ dependencies', () => {
    const run = mapRun(
      readContext(
        {
          status: 'active',
          created_at: '2026-01-01T10:00:00Z',
          phase_results: {
            analysis: {
              status: 'completed',
              start_time: '2026-01-01T10:00:00Z',
              end_time: '2026-01-01T10:05:00Z',
            },
            review: { status: 'skipped' },
          },
          tasks: [
            { id: 'a', title: 'A', status: 'done', assigned_agent: 'dev' },
            { id: 'b', title: 'B', status: 'todo', dependencies: ['a', 'b', 'elsewhere'] },
          ],
        },
        'subforge_x',
      ),
    );
    expect(run).toMatchObject({ status: 'running', completed_at: null, error: null });
    expect(run.started_at?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(run.steps.map((s) => [s.key, s.status, s.depends_on, s.agent_name])).toEqual([
      ['phase.analysis', 'completed', [], null],
      ['phase.review', 'cancelled', [], null],
      ['task.a', 'completed', [], 'dev'],
      ['task.b', 'pending', ['task.a'], null],
    ]);
    expect(run.steps[0].completed_at?.toISOString()).toBe('2026-01-01T10:05:00.000Z');
  });

  it('keeps step keys within the allowed characters and unique', () => {
    const run = mapRun(
      readContext(
        {
          tasks: [
            { id: 'same id/1', title: 'one' },
            { id: 'same id?1', title: 'two' },
            { id: 'x'.repeat(300), title: 'long' },
          ],
        },
        'subforge_x',
      ),
    );
    const keys = run.steps.map((step) => step.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_.-]+$/);
      expect(key.length).toBeLessThanOrEqual(100);
    }
  });

  it('fails the run with the phases’ errors when SubForge says it failed', () => {
    const run = mapRun(
      readContext(
        {
          completed_at: '2026-01-01T11:00:00Z',
          phase_results: { build: { status: 'failed', errors: ['compiler crashed'] } },
        },
        'subforge_x',
      ),
    );
    expect(run).toMatchObject({ status: 'failed', error: 'build: compiler crashed' });
    expect(run.completed_at?.toISOString()).toBe('2026-01-01T11:00:00.000Z');
  });
});
