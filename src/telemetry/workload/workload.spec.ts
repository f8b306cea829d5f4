import { describe, expect, it } from 'vitest';
import {
  agentOverview,
  countsBy,
  successRates,
  taskOverview,
  toV1TaskMetrics,
  toWorkloadFigures,
  workflowOverview,
} from './workload.js';

describe('workload figures', () => {
  it('counts every known key, zeros included, and keeps unknown ones', () => {
    expect(
      countsBy(
        ['a', 'b'],
        [
          { key: 'b', count: 2 },
          { key: 'legacy', count: 1 },
          { key: null, count: 4 },
        ],
      ),
    ).toEqual({ a: 0, b: 2, legacy: 1, unspecified: 4 });
  });

  it('an empty database: zeros everywhere', () => {
    const figures = toWorkloadFigures([], [], [], []);
    expect(figures.agents.total).toBe(0);
    expect(Object.values(figures.agents.by_status)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(figures.tasks).toMatchObject({ total: 0, success_rate: 0, agent_success_rate: 0 });
    expect(taskOverview(figures)).toEqual({
      total_tasks: 0,
      pending_tasks: 0,
      in_progress_tasks: 0,
      completed_tasks: 0,
      failed_tasks: 0,
      blocked_tasks: 0,
      cancelled_tasks: 0,
    });
    expect(workflowOverview(figures)).toEqual({
      total_workflows: 0,
      active_workflows: 0,
      completed_workflows: 0,
      paused_workflows: 0,
    });
    // Nothing has finished, so no rate is known.
    expect(successRates(figures)).toEqual({
      overall_success_rate: null,
      task_success_rate: null,
      workflow_success_rate: null,
      agent_success_rate: null,
    });
  });

  it('success rates over finished tasks, and over those that ran on agents', () => {
    const figures = toWorkloadFigures(
      [
        { key: 'idle', count: 2 },
        { key: 'busy', count: 1 },
      ],
      [
        { status: 'completed', count: 6, assigned: 3 },
        { status: 'failed', count: 2, assigned: 1 },
        { status: 'pending', count: 5, assigned: 0 },
      ],
      [],
      [],
    );
    expect(figures.tasks).toMatchObject({ total: 13, success_rate: 75, agent_success_rate: 75 });
    expect(agentOverview(figures)).toMatchObject({
      total_agents: 3,
      idle_agents: 2,
      busy_agents: 1,
      offline_agents: 0,
    });
    // No run has finished: the overall rate blends the task and agent rates alone.
    expect(successRates(figures)).toEqual({
      overall_success_rate: 75,
      task_success_rate: 75,
      workflow_success_rate: null,
      agent_success_rate: 75,
    });
  });

  it('workflows by shown status, runs by status, and the blended overall rate', () => {
    const figures = toWorkloadFigures(
      [],
      [
        { status: 'completed', count: 9, assigned: 0 },
        { status: 'failed', count: 1, assigned: 0 },
      ],
      [
        { key: 'active', count: 2 },
        { key: 'running', count: 1 },
        { key: 'paused', count: 1 },
      ],
      [
        { key: 'completed', count: 3 },
        { key: 'failed', count: 1 },
        { key: 'running', count: 1 },
      ],
    );
    expect(figures.workflows).toMatchObject({
      total: 4,
      runs: { total: 5, success_rate: 75 },
    });
    expect(workflowOverview(figures)).toEqual({
      total_workflows: 4,
      active_workflows: 3,
      completed_workflows: 0,
      paused_workflows: 1,
    });
    // No task ran on an agent: 0.6 × 90 + 0.3 × 75 over 0.9.
    expect(successRates(figures)).toEqual({
      overall_success_rate: 85,
      task_success_rate: 90,
      workflow_success_rate: 75,
      agent_success_rate: null,
    });
  });
});

describe('v1 task metrics', () => {
  it('groups, rates and means; tasks without a type are unspecified', () => {
    const metrics = toV1TaskMetrics(
      [
        { by: 'status', status: 'completed', priority: null, task_type: null, count: 3 },
        { by: 'status', status: 'pending', priority: null, task_type: null, count: 1 },
        { by: 'priority', status: null, priority: 'high', task_type: null, count: 4 },
        { by: 'task_type', status: null, priority: null, task_type: 'review', count: 1 },
        { by: 'task_type', status: null, priority: null, task_type: null, count: 3 },
      ],
      {
        total: 4,
        completed: 3,
        blocked: 0,
        urgent: 1,
        avg_progress: 77.5,
        avg_duration_ms: 1234.567,
      },
    );
    expect(metrics).toEqual({
      total_tasks: 4,
      by_status: {
        pending: 1,
        in_progress: 0,
        completed: 3,
        failed: 0,
        blocked: 0,
        cancelled: 0,
      },
      by_priority: { low: 0, medium: 0, high: 4, critical: 0 },
      by_type: { review: 1, unspecified: 3 },
      performance: {
        completion_rate: 75,
        avg_progress: 77.5,
        avg_duration: 1234.57,
        blocked_count: 0,
        urgent_count: 1,
      },
    });
  });

  it('no tasks: zeros and empty groups', () => {
    const metrics = toV1TaskMetrics([], {
      total: 0,
      completed: 0,
      blocked: 0,
      urgent: 0,
      avg_progress: null,
      avg_duration_ms: null,
    });
    expect(metrics.total_tasks).toBe(0);
    expect(metrics.by_type).toEqual({});
    expect(metrics.performance).toEqual({
      completion_rate: 0,
      avg_progress: 0,
      avg_duration: 0,
      blocked_count: 0,
      urgent_count: 0,
    });
  });
});
