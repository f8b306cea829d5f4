import { describe, expect, it } from 'vitest';
import { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { toRunResponse } from './run.mapper.js';
import type { StepRow } from './run-store.js';

const run = Object.assign(new WorkflowRunEntity(), {
  id: 'r',
  workflowId: 'w',
  runNumber: 3,
  status: 'running',
  source: 'api',
  externalId: null,
  parameters: {},
  failurePolicy: 'continue',
  trigger: 'api',
  triggeredBy: 'k',
  scheduledAt: null,
  startedAt: new Date('2030-01-01T00:00:00Z'),
  completedAt: null,
  error: null,
  createdAt: new Date('2030-01-01T00:00:00Z'),
  updatedAt: new Date('2030-01-01T00:00:00Z'),
}) as WorkflowRunEntity;

const row = (key: string, extra: Partial<StepRow>): StepRow =>
  ({
    key,
    name: key,
    taskId: `t-${key}`,
    dependsOn: [],
    attempt: 1,
    maxAttempts: 2,
    retryable: null,
    assignedAgentId: null,
    dispatchedAt: null,
    waitingReason: null,
    waitingDetail: null,
    startedAt: null,
    completedAt: null,
    error: null,
    ...extra,
  }) as StepRow;

describe('run representation', () => {
  it('derives progress and counters from the steps and dates the next retry', () => {
    const response = toRunResponse(run, [
      row('a', { status: 'completed' }),
      row('b', {
        status: 'failed',
        attempt: 1,
        completedAt: new Date('2030-01-01T00:00:10Z'),
        error: 'boom',
      }),
      row('c', { status: 'blocked', dependsOn: ['b'] }),
      row('d', { status: 'in_progress' }),
    ]);
    expect(response).toMatchObject({
      progress: 25,
      counters: { total: 4, pending: 1, running: 1, completed: 1, failed: 1, cancelled: 0 },
      run_number: 3,
    });
    expect(response.steps[1]).toMatchObject({
      status: 'failed',
      retry_at: '2030-01-01T00:00:11.000Z',
      error: 'boom',
    });
    expect(response.steps[0].retry_at).toBeNull();
  });
});
