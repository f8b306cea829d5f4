import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubforgeMonitor } from '../src/subforge/subforge-monitor.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { eventually } from './support/poll.js';
import { apiKey, createApiKey } from './support/identities.js';
import { connectSocket, TestSocket } from './support/socket.js';

const admin = apiKey(TEST_ADMIN_KEY);
const iso = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

function context(id: string, overrides: Record<string, unknown> = {}) {
  return {
    project_id: `project-${id}`,
    user_request: `Build ${id}`,
    created_at: iso(30),
    updated_at: iso(1),
    phase_results: {
      analysis: {
        phase: 'analysis',
        status: 'completed',
        start_time: iso(30),
        end_time: iso(20),
        duration: 600,
        outputs: {},
      },
      implementation: { phase: 'implementation', status: 'in_progress', start_time: iso(20) },
    },
    deployed_agents: [{ name: 'backend-developer', role: 'developer', tools: ['Read'] }],
    tasks: [
      {
        id: 't1',
        title: 'Design the API',
        status: 'completed',
        assigned_agent: 'backend-developer',
        completed_at: iso(10),
      },
      { id: 't2', title: 'Write the code', status: 'in_progress', dependencies: ['t1'] },
    ],
    agent_activities: [
      {
        agent_name: 'backend-developer',
        activity_type: 'task_started',
        description: 'Started writing the code',
        timestamp: iso(5),
      },
    ],
    ...overrides,
  };
}

async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('SubForge integration: watching a project directory', () => {
  let stores: TestStores;
  let app: TestApp;
  let root: string;
  let feed: TestSocket;
  let v2: TestSocket;

  const runDir = (id: string) => join(root, '.subforge', id);
  const writeContext = (id: string, body: unknown) => {
    mkdirSync(runDir(id), { recursive: true });
    writeFileSync(
      join(runDir(id), 'workflow_context.json'),
      typeof body === 'string' ? body : JSON.stringify(body),
    );
  };
  const get = (path: string) => app.http().get(path).set(admin);
  const listed = async () => (await get('/api/subforge/workflows').expect(200)).body as any[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'subforge-root-'));
    mkdirSync(join(root, '.subforge'));
    writeContext(
      'subforge_existing',
      context('existing', { status: 'completed', completed_at: iso(2) }),
    );
    stores = await createTestStores();
    app = await startTestApp(stores, {
      SUBFORGE_ROOT: root,
      SUBFORGE_INTEGRATION_ENABLED: 'true',
      SUBFORGE_SCAN_INTERVAL_SECONDS: '3600',
    });
    feed = await connectSocket(app.url, { namespace: '/', token: TEST_ADMIN_KEY });
    v2 = await connectSocket(app.url, { token: TEST_ADMIN_KEY, rooms: ['workflows'] });
  });

  afterAll(async () => {
    feed?.socket.disconnect();
    v2?.socket.disconnect();
    await app?.close();
    await stores?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('imports the runs present at start-up', async () => {
    const runs = await eventually(async () => {
      const body = await listed();
      expect(body.map((run) => run.workflow_id)).toContain('subforge_existing');
      return body;
    }, 10_000);
    const existing = runs.find((run) => run.workflow_id === 'subforge_existing');
    // project_id is the id of the detail routes; the file's own project id is project_name.
    expect(existing).toMatchObject({
      project_id: 'subforge_existing',
      project_name: 'project-existing',
      status: 'completed',
      total_phases: 2,
      completed_phases: 1,
      progress_percentage: 50,
      agent_count: 1,
      error: null,
    });
  });

  it('announces and serves a new run within 2 seconds, as a run of its own with its tasks', async () => {
    const id = 'subforge_created';
    writeContext(id, context('created'));
    const [event, update] = await Promise.all([
      feed.waitFor(
        'workflow_event',
        (p) => p.workflowId === id && p.event === 'subforge_created',
        2_000,
      ),
      v2.waitFor(
        'workflow_update',
        (p) => p.data?.event === 'subforge_created' && p.data.workflow.workflow_id === id,
        2_000,
      ),
    ]);
    expect(event).toMatchObject({ status: 'active', progress: 50 });
    expect(update.rooms).toContain(`workflow:${id}`);

    const summary = (await listed()).find((run) => run.workflow_id === id);
    expect(summary).toMatchObject({ status: 'active', current_phase: 'implementation' });

    const full = (await get(`/api/subforge/workflow/${id}`).expect(200)).body;
    expect(full).toMatchObject({
      project_id: id,
      project_name: 'project-created',
      user_request: 'Build created',
    });
    expect(Object.keys(full.phase_results)).toEqual(['analysis', 'implementation']);

    const withMeta = (await get(`/api/subforge/workflow/${id}/context`).expect(200)).body;
    expect(withMeta._metadata).toMatchObject({ workflow_id: id, api_version: '1.0' });

    const phases = (await get(`/api/subforge/workflow/${id}/phases`).expect(200)).body;
    expect(phases).toMatchObject({
      workflow_id: id,
      total_phases: 2,
      current_phase: 'implementation',
    });
    expect(phases.phases[0]).toMatchObject({
      name: 'analysis',
      status: 'completed',
      duration: 600,
    });

    const tasks = (await get(`/api/subforge/workflow/${id}/tasks`).expect(200)).body;
    expect(tasks.total_tasks).toBe(2);
    expect(tasks.tasks[1]).toMatchObject({ id: 't2', dependencies: ['t1'], status: 'in_progress' });

    // The mirrored workflow run: source subforge, one task per phase and per task.
    const run = (await get(`/api/v2/workflows/runs/${summary.run_id}`).expect(200)).body;
    expect(run).toMatchObject({ source: 'subforge', status: 'running', external_id: id });
    expect(run.steps.map((step: any) => [step.key, step.status])).toEqual([
      ['phase.analysis', 'completed'],
      ['phase.implementation', 'in_progress'],
      ['task.t1', 'completed'],
      ['task.t2', 'in_progress'],
    ]);

    // Activities: the one the file records and the events of the imported tasks; none invented.
    const activities = (await get(`/api/subforge/workflow/${id}/activities`).expect(200)).body;
    const sources = activities.activities.map((a: any) => a.metadata.source);
    expect(sources.filter((s: string) => s === 'file')).toHaveLength(1);
    expect(sources.filter((s: string) => s === 'event').length).toBeGreaterThanOrEqual(4);
    expect(activities.activities.find((a: any) => a.metadata.source === 'file')).toMatchObject({
      description: 'Started writing the code',
      workflow_id: id,
    });
  });

  it('serves phases in the order of the file, which its stored form does not keep', async () => {
    const id = 'subforge_ordered';
    // Stored as jsonb these keys would come back shortest first: qa, design, analysis.
    writeContext(
      id,
      context('ordered', {
        phase_results: {
          analysis: { status: 'completed', start_time: iso(30), end_time: iso(25) },
          design: { status: 'in_progress', start_time: iso(25) },
          qa: { status: 'pending' },
        },
      }),
    );
    const phases = await eventually(
      async () => (await get(`/api/subforge/workflow/${id}/phases`).expect(200)).body,
      10_000,
    );
    expect(phases.phases.map((phase: { name: string }) => phase.name)).toEqual([
      'analysis',
      'design',
      'qa',
    ]);
    const full = (await get(`/api/subforge/workflow/${id}`).expect(200)).body;
    expect(Object.keys(full.phase_results)).toEqual(['analysis', 'design', 'qa']);
  });

  it('updates a changed run in place and announces it', async () => {
    const id = 'subforge_created';
    const before = (await listed()).find((run) => run.workflow_id === id);
    const done = context('created', { status: 'completed', completed_at: iso(0) });
    (done.phase_results as any).implementation.status = 'completed';
    (done.tasks as any)[1].status = 'completed';
    writeContext(id, done);
    await feed.waitFor(
      'workflow_event',
      (p) => p.workflowId === id && p.event === 'subforge_updated',
      2_000,
    );
    const after = (await listed()).find((run) => run.workflow_id === id);
    expect(after).toMatchObject({
      status: 'completed',
      run_id: before.run_id,
      progress_percentage: 100,
    });
    const run = (await get(`/api/v2/workflows/runs/${after.run_id}`).expect(200)).body;
    expect(run.status).toBe('completed');
    expect(run.steps).toHaveLength(4);
    const [{ n }] = await sql<{ n: number }>(
      stores.env.DATABASE_URL!,
      'SELECT count(*)::int AS n FROM tasks WHERE run_id = $1',
      [after.run_id],
    );
    expect(n).toBe(4);
  });

  it('waits for a half-written file and imports it once complete', async () => {
    const id = 'subforge_halfway';
    const text = JSON.stringify(context('halfway'));
    writeContext(id, text.slice(0, text.length / 2));
    await new Promise((resolve) => setTimeout(resolve, 150));
    writeContext(id, text);
    await feed.waitFor('workflow_event', (p) => p.workflowId === id, 2_000);
    await eventually(async () => {
      const run = (await listed()).find((r) => r.workflow_id === id);
      expect(run).toMatchObject({ status: 'active', error: null, total_phases: 2 });
    });
  });

  it('marks a file that stays malformed as a failed run with its error; the others keep working', async () => {
    const id = 'subforge_broken';
    writeContext(id, '{"project_id": "broken", "phase_results": ');
    await feed.waitFor('workflow_event', (p) => p.workflowId === id, 4_000);
    const broken = (await listed()).find((run) => run.workflow_id === id);
    expect(broken.status).toBe('failed');
    expect(broken.error).toMatch(/JSON/);
    const run = (await get(`/api/v2/workflows/runs/${broken.run_id}`).expect(200)).body;
    expect(run).toMatchObject({ status: 'failed' });
    expect(run.error).toMatch(/workflow_context\.json/);

    // Another run still comes in, and the broken one recovers when fixed.
    writeContext('subforge_after', context('after'));
    writeContext(id, context('broken'));
    await eventually(async () => {
      const runs = await listed();
      expect(runs.find((r) => r.workflow_id === 'subforge_after')?.status).toBe('active');
      expect(runs.find((r) => r.workflow_id === id)).toMatchObject({
        status: 'active',
        error: null,
      });
    });
  });

  it('removes a deleted run from the API, announces it, and keeps the run in history', async () => {
    const id = 'subforge_after';
    const summary = (await listed()).find((run) => run.workflow_id === id);
    rmSync(runDir(id), { recursive: true });
    await feed.waitFor(
      'workflow_event',
      (p) => p.workflowId === id && p.event === 'subforge_deleted',
      2_000,
    );
    expect((await listed()).map((run) => run.workflow_id)).not.toContain(id);
    await get(`/api/subforge/workflow/${id}`).expect(404);
    const run = (await get(`/api/v2/workflows/runs/${summary.run_id}`).expect(200)).body;
    expect(run).toMatchObject({ status: 'cancelled', error: 'workflow_context.json was removed' });
  });

  it('imports the same directory twice, even from two instances at once, without duplicates', async () => {
    const second = await startTestApp(stores, {
      SUBFORGE_ROOT: root,
      SUBFORGE_INTEGRATION_ENABLED: 'true',
      SUBFORGE_SCAN_INTERVAL_SECONDS: '3600',
    });
    try {
      const counts = () =>
        sql<{ runs: number; tasks: number; subforge: number; workflows: number }>(
          stores.env.DATABASE_URL!,
          `SELECT (SELECT count(*)::int FROM workflow_runs) AS runs,
                  (SELECT count(*)::int FROM tasks) AS tasks,
                  (SELECT count(*)::int FROM subforge_runs) AS subforge,
                  (SELECT count(*)::int FROM workflows WHERE workflow_type = 'subforge') AS workflows`,
        );
      const [before] = await counts();
      const monitors = [app, second].map((a) => a.service.app.get(SubforgeMonitor));
      await Promise.all(monitors.map((monitor) => monitor.scan('force')));
      await Promise.all(monitors.map((monitor) => monitor.scan('incremental')));
      expect((await counts())[0]).toEqual(before);
      expect(before.workflows).toBe(1);
      const perRun = await sql(
        stores.env.DATABASE_URL!,
        'SELECT external_id, count(*)::int AS n FROM workflow_runs GROUP BY external_id HAVING count(*) > 1',
      );
      expect(perRun).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('imports an agent file of .claude/agents into /api/v2/agents and /api/agents, and its changes', async () => {
    mkdirSync(join(root, '.claude', 'agents'), { recursive: true });
    const file = join(root, '.claude', 'agents', 'code-reviewer.md');
    writeFileSync(
      file,
      '---\nname: code-reviewer\ndescription: Reviews code\ntools: Read, Grep\nmodel: sonnet\n---\nYou review code.\n',
    );
    const status = await feed.waitFor(
      'agent_status_update',
      (p) => p.name === 'code-reviewer',
      2_000,
    );
    const agents = (await get('/api/v2/agents?search=code-reviewer').expect(200)).body;
    expect(agents.data.map((agent: any) => agent.id)).toEqual([status.id]);
    const v2Agent = (await get(`/api/v2/agents/${status.id}`).expect(200)).body;
    expect(v2Agent).toMatchObject({
      name: 'code-reviewer',
      agent_type: 'claude-subagent',
      description: 'Reviews code',
      model: 'sonnet',
      tools: ['Read', 'Grep'],
    });
    const board = (await get('/api/agents').expect(200)).body.agents;
    expect(board.map((agent: any) => agent.name)).toContain('code-reviewer');

    writeFileSync(file, '---\nname: code-reviewer\ndescription: Reviews all code\n---\nBody\n');
    await eventually(async () => {
      const agent = (await get(`/api/v2/agents/${status.id}`).expect(200)).body;
      expect(agent.description).toBe('Reviews all code');
    });
    const [{ n }] = await sql<{ n: number }>(
      stores.env.DATABASE_URL!,
      "SELECT count(*)::int AS n FROM agents WHERE name = 'code-reviewer'",
    );
    expect(n).toBe(1);
  });

  it('computes metrics from the imported runs', async () => {
    const metrics = (await get('/api/subforge/metrics').expect(200)).body;
    expect(metrics.total_workflows).toBe((await listed()).length);
    expect(metrics.completed_workflows).toBeGreaterThanOrEqual(2);
    expect(metrics.average_completion_time).toBeGreaterThan(0);
    expect(metrics.most_common_phases[0]).toEqual({
      phase: expect.any(String),
      count: metrics.total_workflows,
    });
    expect(metrics.agent_utilization['backend-developer']).toMatchObject({
      runs: expect.any(Number),
      tasks_assigned: expect.any(Number),
    });
    expect(metrics.recent_activities.length).toBeGreaterThan(0);
  });

  it('scans on request (202, then a workflow_event) and reports its status', async () => {
    const response = await app
      .http()
      .post('/api/subforge/scan')
      .set(admin)
      .send({ force_rescan: true })
      .expect(202);
    expect(response.body).toEqual({
      message: 'Scan initiated successfully',
      scan_type: 'force',
      status: 'processing',
    });
    const done = await feed.waitFor(
      'workflow_event',
      (p) => p.event === 'subforge_scan_completed' && p.status === 'completed',
      5_000,
    );
    expect(done.workflowId).toBeNull();
    const status = (await get('/api/subforge/status').expect(200)).body;
    expect(status).toMatchObject({
      service_status: 'active',
      monitoring_enabled: true,
      file_watching_enabled: true,
      subforge_directory: join(root, '.subforge'),
      subforge_directory_exists: true,
      configuration: { scan_interval: 3600 },
    });
    expect(status.total_workflows).toBe((await listed()).length);
    expect(Date.parse(status.last_scan)).toBeGreaterThan(Date.now() - 10_000);
  });

  it('stops and starts watching on request', async () => {
    await app.http().post('/api/subforge/stop').set(admin).expect(200, {
      message: 'Integration stopped successfully',
      status: 'inactive',
    });
    await eventually(async () => expect(app.service.app.get(SubforgeMonitor).watching).toBe(false));
    writeContext('subforge_while_stopped', context('while-stopped'));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await listed()).map((run) => run.workflow_id)).not.toContain('subforge_while_stopped');
    // The service still runs (Online on the dashboard); only watching stopped.
    expect((await get('/api/subforge/status').expect(200)).body).toMatchObject({
      service_status: 'active',
      monitoring_enabled: false,
      file_watching_enabled: false,
    });

    const started = await app.http().post('/api/subforge/start').set(admin).expect(200);
    expect(started.body).toEqual({ message: 'Integration started successfully', status: 'active' });
    // Starting scans what changed meanwhile.
    await eventually(async () =>
      expect((await listed()).map((run) => run.workflow_id)).toContain('subforge_while_stopped'),
    );
    const again = await app.http().post('/api/subforge/start').set(admin).expect(200);
    expect(again.body.message).toBe('Integration already running');
  });

  it('guards its routes: credentials, operator-only actions, ids that are not run names', async () => {
    await app.http().get('/api/subforge/workflows').expect(401);
    const viewer = await createApiKey(app.url, 'viewer');
    await app.http().get('/api/subforge/workflows').set(apiKey(viewer.key)).expect(200);
    const refused = await app.http().post('/api/subforge/scan').set(apiKey(viewer.key)).send({});
    expect(refused.status).toBe(403);
    for (const id of ['..%2F..%2Fetc', 'not_a_run', 'subforge_no.such', 'subforge_unknown']) {
      const response = await get(`/api/subforge/workflow/${id}/phases`);
      expect(response.status).toBe(404);
      expect(response.body.message ?? response.body.detail).toBeDefined();
    }
    const bad = await app
      .http()
      .post('/api/subforge/scan')
      .set(admin)
      .send({ force_rescan: 'yes' });
    expect(bad.status).toBe(400);
  });
});
