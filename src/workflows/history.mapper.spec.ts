import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../tasks/task-state.js';
import { finalResult, toAgentPerformance, toHandoffs } from './history.mapper.js';
import type { StepRow } from './run-store.js';
import { windowOf } from './workflow-history.service.js';

const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, seconds));

function step(
  key: string,
  status: TaskStatus,
  dependsOn: string[],
  extra: Partial<StepRow> = {},
): StepRow {
  return {
    runId: 'r',
    key,
    name: key.toUpperCase(),
    position: 0,
    dependsOn,
    taskId: `t-${key}`,
    routeAgentId: null,
    agentType: null,
    requiredCapabilities: [],
    timeoutSeconds: 300,
    maxRetries: 3,
    maxAttempts: 4,
    status,
    attempt: 1,
    assignedAgentId: null,
    startedAt: null,
    completedAt: null,
    error: null,
    retryable: null,
    qualityScore: null,
    taskType: null,
    result: null,
    dispatchedAt: null,
    waitingReason: null,
    waitingDetail: null,
    ...extra,
  };
}

describe('history representations', () => {
  it('final result: success, partial or failure once finished', () => {
    expect(finalResult({ status: 'completed' }, [])).toBe('success');
    expect(
      finalResult({ status: 'failed' }, [step('a', 'completed', []), step('b', 'failed', [])]),
    ).toBe('partial');
    expect(finalResult({ status: 'cancelled' }, [step('a', 'cancelled', [])])).toBe('failure');
    expect(finalResult({ status: 'running' }, [])).toBeNull();
  });

  it('a handoff per dependency edge, timed from completion to the next assignment', () => {
    const handoffs = toHandoffs([
      step('a', 'completed', [], { completedAt: at(10), assignedAgentId: 'x' }),
      step('b', 'in_progress', ['a'], { dispatchedAt: at(12), assignedAgentId: 'y' }),
      step('c', 'pending', ['b']),
    ]);
    expect(handoffs).toEqual([
      {
        handoff: { name: 'a -> b', type: 'agent_to_agent' },
        source: { phase_name: 'A', agent_id: 'x' },
        target: { phase_name: 'B', agent_id: 'y' },
        status: 'completed',
        time_tracking: {
          initiated_at: at(10).toISOString(),
          completed_at: at(12).toISOString(),
          duration_seconds: 2,
        },
      },
      {
        handoff: { name: 'b -> c', type: 'phase_to_phase' },
        source: { phase_name: 'B', agent_id: 'y' },
        target: { phase_name: 'C', agent_id: null },
        status: 'pending',
        time_tracking: { initiated_at: null, completed_at: null, duration_seconds: null },
      },
    ]);
  });

  it('agent performance per period: rates in %, utilisation of the period', () => {
    const figures = toAgentPerformance(
      {
        agent_id: 'x',
        agent_name: 'builder',
        agent_type: 'ci',
        period_start: new Date('2030-01-01T10:00:00Z'),
        runs_total: 2,
        runs_completed: 1,
        runs_failed: 1,
        steps_total: 4,
        steps_completed: 3,
        steps_failed: 1,
        active_seconds: 900,
        quality: 80,
        timeouts: 1,
      },
      'hour',
    );
    expect(figures).toMatchObject({
      period: { start: '2030-01-01T10:00:00.000Z', end: '2030-01-01T11:00:00.000Z', type: 'hour' },
      performance: {
        workflows: { success_rate: 50 },
        tasks: { total: 4, successful: 3, success_rate: 75 },
      },
      time_metrics: { total_active_time_seconds: 900, average_task_duration_seconds: 225 },
      utilization: { utilization_percentage: 25, idle_time_seconds: 2700 },
      issues: { total_errors: 1, timeouts: 1 },
    });
  });

  it('windows: with one bound given, the other defaults as in the original', () => {
    const now = new Date('2030-02-01T00:00:00Z');
    expect(() =>
      windowOf({ start_date: '2030-02-01T00:00:00Z', end_date: '2030-01-01T00:00:00Z' }, 30, now),
    ).toThrow('The window ends before it starts');
    expect(windowOf({}, 30, now)).toEqual({ start: null, end: null });
    expect(windowOf({ start_date: '2030-01-15T00:00:00Z' }, 30, now)).toEqual({
      start: new Date('2030-01-15T00:00:00Z'),
      end: now,
    });
    expect(windowOf({ end_date: '2030-01-31T00:00:00Z' }, 30, now)).toEqual({
      start: new Date('2030-01-01T00:00:00Z'),
      end: new Date('2030-01-31T00:00:00Z'),
    });
  });
});
