import { describe, expect, it } from 'vitest';
import { reportableFigures } from './agent-heartbeats.service.js';
import { successRate, toAgentResponse, toV1AgentResponse } from './agent.mapper.js';
import { AgentEntity } from './entities/agent.entity.js';

function agent(overrides: Partial<AgentEntity> = {}): AgentEntity {
  return Object.assign(new AgentEntity(), {
    id: '7b0f3f7e-0000-4000-8000-000000000001',
    name: 'builder',
    agentType: 'backend',
    description: null,
    model: 'claude-3-sonnet',
    tools: ['read'],
    capabilities: ['ts'],
    configuration: { temperature: 0.2 },
    status: 'idle',
    currentTaskId: null,
    currentTaskTitle: null,
    maxConcurrentTasks: 2,
    isActive: true,
    tags: ['a'],
    metadata: {},
    reportedFigures: null,
    pendingConfiguration: null,
    lastActivity: null,
    lastHeartbeat: new Date('2026-01-01T00:00:00Z'),
    createdAt: new Date('2025-12-31T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });
}

const figures = {
  tasksCompleted: 3,
  tasksFailed: 1,
  avgResponseTimeMs: 1234.567,
  uptimePercentage: 99.123,
  running: 1,
};

describe('agent representations', () => {
  it('v2: contract fields, null current task, derived and reported figures apart', () => {
    const response = toAgentResponse(
      agent({ reportedFigures: { tasks_completed: 50, reported_at: '2026-01-01T00:00:00.000Z' } }),
      figures,
    );
    expect(response).toMatchObject({
      agent_type: 'backend',
      current_task: null,
      last_heartbeat: '2026-01-01T00:00:00.000Z',
      last_activity: null,
      max_concurrent_tasks: 2,
      running_tasks: 1,
      performance_metrics: {
        tasks_completed: 3,
        tasks_failed: 1,
        success_rate: 75,
        avg_response_time: 1234.57,
        uptime_percentage: 99.12,
        reported_tasks_completed: 50,
        reported_tasks_failed: null,
      },
    });
  });

  it('v1: the original field set with current_task always an object', () => {
    const response = toV1AgentResponse(
      agent({ currentTaskId: 'x', currentTaskTitle: 'T' }),
      figures,
    );
    expect(Object.keys(response).sort()).toEqual(
      [
        'name',
        'agent_type',
        'description',
        'model',
        'tools',
        'capabilities',
        'configuration',
        'id',
        'status',
        'current_task',
        'performance_metrics',
        'last_activity',
        'last_heartbeat',
        'is_active',
        'created_at',
        'updated_at',
      ].sort(),
    );
    expect(response.current_task).toEqual({ id: 'x', title: 'T' });
    expect(toV1AgentResponse(agent(), figures).current_task).toEqual({ id: null, title: null });
  });

  it('success rate is 0 without finished tasks', () => {
    expect(successRate(0, 0)).toBe(0);
    expect(successRate(2, 1)).toBe(66.67);
  });
});

describe('heartbeat figures', () => {
  it('keeps known, finite, non-negative figures and ignores everything else', () => {
    expect(
      reportableFigures({
        tasks_completed: 4,
        tasks_failed: 1,
        id: 'overwrite-me',
        name: 'x',
        avg_response_time: -1,
        uptime_percentage: 101,
        cpu: 50,
      }),
    ).toEqual({ tasks_completed: 4, tasks_failed: 1, success_rate: 80 });
    expect(reportableFigures({ created_at: 'now' })).toBeUndefined();
    expect(reportableFigures(undefined)).toBeUndefined();
  });
});
