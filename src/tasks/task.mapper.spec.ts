import { describe, expect, it } from 'vitest';
import { TaskEntity } from './entities/task.entity.js';
import { toTaskResponse, toV1TaskResponse, type TaskSnapshot } from './task.mapper.js';

function snapshot(
  overrides: Partial<TaskEntity> = {},
  agentName: string | null = 'builder',
): TaskSnapshot {
  const task = Object.assign(new TaskEntity(), {
    id: 'a0000000-0000-4000-8000-000000000001',
    title: 'Ship it',
    description: null,
    status: 'blocked',
    priority: 'high',
    taskType: null,
    tags: [],
    metadata: {},
    assignedAgentId: 'b0000000-0000-4000-8000-000000000002',
    workflowId: null,
    runId: 'c0000000-0000-4000-8000-000000000003',
    stepKey: 'build',
    attempt: 2,
    estimatedDurationMinutes: 5,
    actualDurationMinutes: null,
    startedAt: null,
    completedAt: null,
    progressPercentage: 0,
    subtasksCompleted: 0,
    subtasksTotal: 0,
    qualityScore: null,
    complexityScore: null,
    effortPoints: null,
    isUrgent: false,
    requiresReview: true,
    result: null,
    error: 'previous attempt failed',
    retryable: true,
    dueDate: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:01:00Z'),
    ...overrides,
  });
  return { task, agentName, links: { dependencies: ['d1'], dependents: ['d2', 'd3'] } };
}

describe('task representations', () => {
  it('v2 groups fields as the contract says and derives is_blocked from the status', () => {
    const response = toTaskResponse(snapshot());
    expect(response).toMatchObject({
      assigned_agent: { id: 'b0000000-0000-4000-8000-000000000002', name: 'builder' },
      run_id: 'c0000000-0000-4000-8000-000000000003',
      step_key: 'build',
      attempt: 2,
      error: 'previous attempt failed',
      dependencies: ['d1'],
      dependents: ['d2', 'd3'],
      flags: { is_blocked: true, is_urgent: false, requires_review: true },
      time_tracking: { estimated_duration_minutes: 5, started_at: null },
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(toTaskResponse(snapshot({ assignedAgentId: null })).assigned_agent).toBeNull();
    expect(toTaskResponse(snapshot({ status: 'pending' })).flags.is_blocked).toBe(false);
  });

  it('v1 keeps the original field set, assigned_agent always an object', () => {
    const response = toV1TaskResponse(snapshot({ assignedAgentId: null }, null));
    expect(response.assigned_agent).toEqual({ id: null, name: null });
    for (const field of ['run_id', 'step_key', 'attempt', 'result', 'error'])
      expect(response).not.toHaveProperty(field);
  });
});
