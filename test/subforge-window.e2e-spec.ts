import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey } from './support/identities.js';
import { eventually } from './support/poll.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const admin = apiKey(TEST_ADMIN_KEY);

describe('/api/subforge: runs started over the API beside imported SubForge runs', () => {
  let stores: TestStores;
  let app: TestApp;
  const agents: ScriptedAgent[] = [];
  let running: string;
  let failed: string;

  const get = async (path: string) => (await app.http().get(path).set(admin).expect(200)).body;
  const post = async (path: string, body: object, status: number) =>
    (await app.http().post(path).set(admin).send(body).expect(status)).body;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, {
      DASHBOARD_PUBLIC_READ: 'true',
      CACHE_ENABLED: 'false',
      SUBFORGE_INTEGRATION_ENABLED: 'false',
    });
    // The designer finishes what it gets, the builder works on (never reports), the
    // shipper fails.
    agents.push(
      await ScriptedAgent.start(app.url, { agentType: 'designer', name: 'Ada' }),
      await ScriptedAgent.start(app.url, {
        agentType: 'builder',
        name: 'Bob',
        script: () => ({ kind: 'ignore' }),
      }),
      await ScriptedAgent.start(app.url, {
        agentType: 'shipper',
        name: 'Dee',
        script: () => ({ kind: 'fail', error: 'the release train left', retryable: false }),
      }),
    );
    await post('/api/v2/agents', { name: 'Cy', agent_type: 'reviewer' }, 201);
    const workflow = await post(
      '/api/v2/workflows',
      {
        name: 'Website',
        description: 'Design and build the site',
        steps: [
          {
            key: 'design',
            name: 'Design',
            agent_type: 'designer',
            task_template: { title: 'Design it' },
          },
          {
            key: 'build',
            name: 'Build',
            agent_type: 'builder',
            depends_on: ['design'],
            task_template: { title: 'Build it', estimated_duration_minutes: 90 },
          },
          {
            key: 'review',
            name: 'Review',
            agent_type: 'reviewer',
            depends_on: ['build'],
            task_template: { title: 'Review it' },
          },
        ],
      },
      201,
    );
    running = (await post(`/api/v2/workflows/${workflow.id}/execute`, {}, 202)).run_id;
    // A second workflow over v1, whose only step fails for good.
    const release = await post(
      '/api/v1/workflows',
      {
        name: 'Release',
        steps: [
          {
            key: 'ship',
            name: 'Ship',
            agent_type: 'shipper',
            max_retries: 0,
            task_template: { title: 'Ship it' },
          },
        ],
      },
      201,
    );
    failed = (await post(`/api/v1/workflows/${release.id}/execute`, {}, 200)).run_id;
    await eventually(async () => {
      const run = await get(`/api/v2/workflows/runs/${running}`);
      expect(run.steps.map((step: { status: string }) => step.status)).toEqual([
        'completed',
        'in_progress',
        'pending',
      ]);
      expect((await get(`/api/v2/workflows/runs/${failed}`)).status).toBe('failed');
    }, 20_000);
  });

  afterAll(async () => {
    for (const agent of agents) agent.disconnect();
    await app?.close();
    await stores?.drop();
  });

  it('lists them, newest first, with project_id as their id', async () => {
    const list = await get('/api/subforge/workflows');
    expect(list.map((w: { workflow_id: string }) => w.workflow_id)).toEqual([failed, running]);
    expect(list[1]).toEqual({
      workflow_id: running,
      run_id: running,
      project_id: running,
      project_name: 'Website',
      user_request: 'Website: Design and build the site',
      status: 'active',
      progress_percentage: 33.33,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      current_phase: 'Build',
      total_phases: 3,
      completed_phases: 1,
      failed_phases: 0,
      agent_count: 2,
      error: null,
    });
    expect(list[0]).toMatchObject({ status: 'failed', failed_phases: 1, agent_count: 1 });
  });

  it('counts them in the metrics and the status (Online without a watched project)', async () => {
    const metrics = await get('/api/subforge/metrics');
    expect(metrics).toMatchObject({
      total_workflows: 2,
      active_workflows: 1,
      completed_workflows: 0,
      failed_workflows: 1,
      success_rate: 0,
      average_completion_time: null,
    });
    // One key per agent of the store.
    expect(Object.keys(metrics.agent_utilization).sort()).toEqual(['Ada', 'Bob', 'Cy', 'Dee']);
    expect(metrics.agent_utilization.Ada).toMatchObject({
      runs: 1,
      tasks_assigned: 1,
      tasks_completed: 1,
    });
    expect(metrics.agent_utilization.Cy.tasks_assigned).toBe(0);
    expect(metrics.most_common_phases.map((p: { phase: string }) => p.phase).sort()).toEqual([
      'Build',
      'Design',
      'Review',
      'Ship',
    ]);
    expect(metrics.recent_activities.length).toBeGreaterThan(0);
    const status = await get('/api/subforge/status');
    expect(status).toMatchObject({
      service_status: 'active',
      monitoring_enabled: false,
      total_workflows: 2,
      active_workflows: 1,
    });
  });

  it('answers its details: the context, phases in execution order, tasks and activities', async () => {
    const context = await get(`/api/subforge/workflow/${running}`);
    expect(context).toMatchObject({
      project_id: running,
      status: 'active',
      user_request: 'Website: Design and build the site',
      total_phases: 3,
      completed_phases: 1,
    });
    expect(Array.isArray(context.agent_activities)).toBe(true);
    expect(context.deployed_agents.map((a: { name: string }) => a.name).sort()).toEqual([
      'Ada',
      'Bob',
    ]);

    const phases = await get(`/api/subforge/workflow/${running}/phases`);
    expect(phases).toMatchObject({
      workflow_id: running,
      total_phases: 3,
      completed_phases: 1,
      failed_phases: 0,
      current_phase: 'Build',
    });
    expect(phases.phases.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['Design', 'completed'],
      ['Build', 'in_progress'],
      ['Review', 'pending'],
    ]);
    expect(phases.phases[0]).toMatchObject({
      duration: expect.any(Number),
      errors: [],
      warnings: [],
      start_time: expect.any(String),
      end_time: expect.any(String),
    });
    const failedPhases = await get(`/api/subforge/workflow/${failed}/phases`);
    expect(failedPhases.phases).toEqual([
      expect.objectContaining({
        name: 'Ship',
        status: 'failed',
        errors: ['the release train left'],
      }),
    ]);

    const tasks = await get(`/api/subforge/workflow/${running}/tasks`);
    expect(tasks.total_tasks).toBe(3);
    expect(tasks.tasks[1]).toMatchObject({
      title: 'Build it',
      status: 'in_progress',
      phase: 'Build',
      assigned_agent: 'Bob',
      dependencies: [tasks.tasks[0].id],
    });

    const activities = await get(`/api/subforge/workflow/${running}/activities`);
    expect(activities.workflow_id).toBe(running);
    expect(activities.total_activities).toBe(activities.activities.length);
    expect(activities.activities.length).toBeGreaterThan(0);
    const times = activities.activities.map((a: { timestamp: string }) => a.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
    expect(activities.activities.map((a: { agent_name: string }) => a.agent_name)).toContain('Ada');
    const context2 = await get(`/api/subforge/workflow/${running}/context`);
    expect(context2._metadata).toMatchObject({ workflow_id: running, api_version: '1.0' });
  });

  it('answers 404 for ids that are neither a run directory nor a run of ours', async () => {
    await app.http().get('/api/subforge/workflow/not-a-run').set(admin).expect(404);
    await app
      .http()
      .get('/api/subforge/workflow/00000000-0000-4000-8000-000000000000/phases')
      .set(admin)
      .expect(404);
  });
});
