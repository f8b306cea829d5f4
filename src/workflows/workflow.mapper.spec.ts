import { describe, expect, it } from 'vitest';
import { WorkflowEntity } from './entities/workflow.entity.js';
import {
  deriveWorkflowStatus,
  NO_FIGURES,
  NO_RUNS,
  runSuccessRate,
  toV1WorkflowResponse,
  toWorkflowResponse,
  type WorkflowFigures,
} from './workflow.mapper.js';

const workflow = Object.assign(new WorkflowEntity(), {
  id: 'a0000000-0000-4000-8000-000000000001',
  name: 'release',
  description: null,
  status: 'active',
  workflowType: 'ci',
  projectId: 'p1',
  projectName: 'Project',
  configuration: {},
  parameters: { env: 'prod' },
  tags: ['x'],
  metadata: {},
  isTemplate: false,
  requiresApproval: false,
  assignedAgents: [],
  steps: [{ key: 'a', name: 'A', task_template: { title: 'Do A' } }],
  failurePolicy: 'fail_fast',
  estimatedDurationHours: 2,
  reportedFigures: {
    progress_percentage: 80,
    efficiency_score: 70,
    reported_at: '2030-01-01T00:00:00.000Z',
  },
  createdAt: new Date('2030-01-01T00:00:00Z'),
  updatedAt: new Date('2030-01-01T00:00:00Z'),
}) as WorkflowEntity;

const figures: WorkflowFigures = {
  runs: { ...NO_RUNS, total: 4, running: 1, completed: 2, failed: 1 },
  latest: {
    id: 'r1',
    runNumber: 4,
    status: 'running',
    startedAt: new Date('2030-01-02T00:00:00Z'),
    completedAt: null,
    counters: { total: 4, pending: 1, running: 1, completed: 2, failed: 0, cancelled: 0 },
  },
  lastDurationMs: 5_400_000,
  nextScheduledAt: null,
  avgQualityScore: 87.456,
};

describe('workflow representations', () => {
  it('shows running, paused or scheduled while it has such a run, else the stored status', () => {
    expect(deriveWorkflowStatus('active', { ...NO_RUNS, running: 1, scheduled: 1 })).toBe(
      'running',
    );
    expect(deriveWorkflowStatus('active', { ...NO_RUNS, paused: 1, scheduled: 1 })).toBe('paused');
    expect(deriveWorkflowStatus('inactive', { ...NO_RUNS, scheduled: 2 })).toBe('scheduled');
    expect(deriveWorkflowStatus('inactive', { ...NO_RUNS, completed: 3 })).toBe('inactive');
  });

  it('rates completed runs among finished ones', () => {
    expect(runSuccessRate({ ...NO_RUNS, completed: 2, failed: 1 })).toBe(66.67);
    expect(runSuccessRate({ ...NO_RUNS, running: 1 })).toBe(0);
  });

  it('v2: progress and counters from the latest run, reported figures apart', () => {
    const response = toWorkflowResponse(workflow, figures);
    expect(response).toMatchObject({
      status: 'running',
      progress: 50,
      counters: { total: 4, completed: 2 },
      success_rate: 66.67,
      latest_run: { id: 'r1', run_number: 4, status: 'running', progress: 50 },
      reported: { progress_percentage: 80 },
    });
    expect(response.steps[0]).toMatchObject({
      depends_on: [],
      timeout_seconds: 300,
      max_retries: 3,
    });
    expect(toWorkflowResponse(workflow, NO_FIGURES)).toMatchObject({
      status: 'active',
      progress: 0,
      latest_run: null,
    });
  });

  it('v1: the original groups from the same figures', () => {
    expect(toV1WorkflowResponse(workflow, figures)).toMatchObject({
      status: 'running',
      project: { id: 'p1', name: 'Project' },
      progress: { percentage: 50, total_tasks: 4, completed_tasks: 2, failed_tasks: 0 },
      time_tracking: {
        estimated_duration_hours: 2,
        actual_duration_hours: 1.5,
        started_at: '2030-01-02T00:00:00.000Z',
      },
      quality_metrics: { success_rate: 66.67, quality_score: 87.46, efficiency_score: 70 },
      flags: { is_paused: false, is_template: false },
    });
  });
});
