import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey } from './support/identities.js';
import { runJob } from './support/jobs.js';
import { connectSocket } from './support/socket.js';

const admin = apiKey(TEST_ADMIN_KEY);
const ROUTES = [
  '/api/dashboard/overview',
  '/api/agents',
  '/api/agents/detailed',
  '/api/tasks/recent',
  '/api/tasks',
  '/api/metrics?range=7d',
  '/api/history?range=24h',
];

async function sql(url: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

const round1 = (value: number) => Math.round(value * 10) / 10;

describe('the existing dashboard: its routes over an empty store', () => {
  let stores: TestStores;
  let app: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { METRICS_INTERVAL_SECONDS: '3600' });
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  it('answers zeros and empty lists, never invented data', async () => {
    const overview = await app.http().get('/api/dashboard/overview').set(admin).expect(200);
    expect(overview.body.agents).toEqual({ total: 0, active: 0, idle: 0, error: 0 });
    expect(overview.body.tasks).toEqual({ completed: 0, pending: 0, failed: 0, total: 0 });
    expect(Object.keys(overview.body.system).sort()).toEqual([
      'connections',
      'cpu',
      'memory',
      'uptime',
    ]);
    for (const path of ['/api/agents', '/api/agents/detailed'])
      expect((await app.http().get(path).set(admin).expect(200)).body).toEqual({ agents: [] });
    for (const path of ['/api/tasks/recent', '/api/tasks'])
      expect((await app.http().get(path).set(admin).expect(200)).body).toEqual({ tasks: [] });
    expect((await app.http().get('/api/history?range=90d').set(admin).expect(200)).body).toEqual({
      events: [],
    });
    const { body: metrics } = await app.http().get('/api/metrics?range=30d').set(admin).expect(200);
    expect(metrics.taskCompletion).toHaveLength(30);
    expect(
      metrics.taskCompletion.every(
        (day: { completed: number; failed: number; total: number }) =>
          day.completed + day.failed + day.total === 0,
      ),
    ).toBe(true);
    expect(metrics.agentPerformance).toEqual([]);
    expect(metrics.systemHealth).toEqual([]);
    expect(
      metrics.productivity.every(
        (day: { tasksPerHour: number; agentsActive: number; efficiency: number }) =>
          day.tasksPerHour + day.agentsActive + day.efficiency === 0,
      ),
    ).toBe(true);
    await app.http().get('/api/metrics?range=1y').set(admin).expect(400);
  });
});

describe('the existing dashboard: its routes over a fixture', () => {
  let stores: TestStores;
  let app: TestApp;
  const ids: Record<string, string> = {};
  const snapshotIds: string[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { METRICS_INTERVAL_SECONDS: '3600', CACHE_ENABLED: 'false' });
    const post = async (path: string, body: object) =>
      (
        await app
          .http()
          .post(path)
          .set(admin)
          .send(body)
          .expect((r) => expect(r.status).toBeLessThan(300))
      ).body;
    for (const [name, type] of [
      ['alpha', 'coder'],
      ['beta', 'reviewer'],
      ['gamma', 'tester'],
    ]) {
      ids[name] = (
        await post('/api/v2/agents', {
          name,
          agent_type: type,
          model: 'claude-sonnet',
          capabilities: [type],
        })
      ).id;
    }
    const task = async (key: string, title: string, agent?: string, estimate?: number) => {
      ids[key] = (
        await post('/api/v2/tasks', {
          title,
          priority: key === 't1' ? 'critical' : 'medium',
          ...(agent ? { assigned_agent_id: ids[agent] } : {}),
          ...(estimate ? { estimated_duration_minutes: estimate } : {}),
        })
      ).id;
    };
    await task('t1', 'Build the API', 'alpha');
    await task('t2', 'Write the docs', 'alpha');
    await task('t3', 'Review the code', 'beta');
    await task('t4', 'Plan the release', undefined, 90);
    await task('t5', 'Test the release', 'beta', 120);
    await task('t6', 'Drop the old UI');
    await post(`/api/v2/tasks/${ids.t1}/start`, {});
    await post(`/api/v2/tasks/${ids.t1}/complete`, {});
    await post(`/api/v2/tasks/${ids.t2}/start`, {});
    await post(`/api/v2/tasks/${ids.t2}/complete`, {});
    await post(`/api/v2/tasks/${ids.t3}/start`, {});
    await post(`/api/v2/tasks/${ids.t3}/fail`, { error: 'lint errors' });
    await post(`/api/v2/tasks/${ids.t5}/start`, {});
    await app
      .http()
      .patch(`/api/v2/tasks/${ids.t5}/progress`)
      .set(admin)
      .send({ percentage: 25 })
      .expect(200);
    await post(`/api/v2/tasks/${ids.t6}/cancel`, {});
    await app
      .http()
      .patch(`/api/v1/agents/${ids.alpha}/status`)
      .set(admin)
      .send({ status: 'active' })
      .expect(200);
    await app
      .http()
      .patch(`/api/v1/agents/${ids.gamma}/status`)
      .set(admin)
      .send({ status: 'offline' })
      .expect(200);
    // Known durations: 2 s and 3 s for alpha's tasks, 30 s for beta's failure.
    for (const [key, seconds] of [
      ['t1', 2],
      ['t2', 3],
      ['t3', 30],
    ] as const) {
      await sql(
        stores.env.DATABASE_URL!,
        `UPDATE tasks SET started_at = completed_at - make_interval(secs => $2) WHERE id = $1`,
        [ids[key], seconds],
      );
    }
    // A run that starts and waits (no agent of its type exists).
    const workflow = await post('/api/v2/workflows', {
      name: 'Release train',
      steps: [
        { key: 'ship', name: 'Ship', agent_type: 'nobody', task_template: { title: 'Ship it' } },
      ],
    });
    ids.run = (await post(`/api/v2/workflows/${workflow.id}/execute`, {})).run_id;
    // System snapshots as the service takes them: its collector job, three times.
    for (let i = 0; i < 3; i++) {
      const job = await runJob(app, 'system.collect_metrics', {});
      expect(job.status).toBe('completed');
      snapshotIds.push(job.result.snapshot_id);
    }
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  /** The stored snapshots with these ids, as the v1 history route shows them. */
  const snapshots = async (wanted: string[]) => {
    const { body } = await app
      .http()
      .get('/api/v1/system/metrics/history?limit=100')
      .set(admin)
      .expect(200);
    return wanted.map((id) => body.find((row: { id: string }) => row.id === id));
  };

  it('overview: agents and tasks by the dashboard status mapping', async () => {
    const { body } = await app.http().get('/api/dashboard/overview').set(admin).expect(200);
    // alpha active, beta busy (at capacity with t5), gamma offline → error.
    expect(body.agents).toEqual({ total: 3, active: 1, idle: 0, error: 1 });
    // completed t1 t2; pending t4 and the run's step; failed t3 + cancelled t6; t5 in progress.
    expect(body.tasks).toEqual({ completed: 2, pending: 2, failed: 2, total: 7 });
    expect(body.system.uptime).toBeGreaterThanOrEqual(0);
    // CPU, memory and connections of the newest snapshot the collector stored.
    const [newest] = await snapshots(snapshotIds.slice(-1));
    expect(body.system).toMatchObject({
      cpu: round1(newest.performance_metrics.cpu_usage_percentage),
      memory: round1(newest.performance_metrics.memory_usage_percentage),
      connections: newest.network_metrics.websocket_connections,
    });
  });

  it('agents and detailed agents', async () => {
    const { body } = await app.http().get('/api/agents').set(admin).expect(200);
    const byName = Object.fromEntries(
      body.agents.map((agent: { name: string }) => [agent.name, agent]),
    );
    expect(byName.alpha).toMatchObject({
      id: ids.alpha,
      type: 'coder',
      status: 'active',
      tasksCompleted: 2,
      lastActive: expect.any(String),
    });
    expect(byName.beta).toMatchObject({
      status: 'busy',
      tasksCompleted: 0,
      currentTask: 'Test the release',
    });
    expect(byName.gamma).toMatchObject({ status: 'error', tasksCompleted: 0 });
    const detailed = await app.http().get('/api/agents/detailed').set(admin).expect(200);
    const alpha = detailed.body.agents.find((agent: { name: string }) => agent.name === 'alpha');
    expect(alpha).toMatchObject({
      model: 'claude-sonnet',
      capabilities: ['coder'],
      createdAt: expect.any(String),
      // Seconds: tasks of 2 s and 3 s.
      performance: { successRate: 100, avgResponseTime: 2.5, totalTasks: 2 },
    });
    expect(Object.keys(alpha).sort()).toEqual([
      'agentId',
      'capabilities',
      'createdAt',
      'currentTask',
      'id',
      'lastActive',
      'model',
      'name',
      'performance',
      'status',
      'tasksCompleted',
      'type',
    ]);
    const beta = detailed.body.agents.find((agent: { name: string }) => agent.name === 'beta');
    expect(beta.performance).toMatchObject({ successRate: 0, totalTasks: 1 });
  });

  it('recent tasks and the board, in their vocabularies', async () => {
    const recent = await app.http().get('/api/tasks/recent').set(admin).expect(200);
    const byTitle = Object.fromEntries(
      recent.body.tasks.map((task: { title: string }) => [task.title, task]),
    );
    expect(recent.body.tasks).toHaveLength(7);
    expect(byTitle['Build the API']).toMatchObject({
      status: 'completed',
      agent: 'alpha',
      priority: 'high',
      duration: 2,
      timestamp: expect.stringMatching(/ago|just now/),
    });
    expect(Object.keys(byTitle['Build the API']).sort()).toEqual([
      'agent',
      'duration',
      'id',
      'priority',
      'status',
      'timestamp',
      'title',
    ]);
    expect(byTitle['Review the code']).toMatchObject({ status: 'failed', duration: 30 });
    expect(byTitle['Drop the old UI']).toMatchObject({ status: 'failed', agent: 'Unassigned' });
    expect(byTitle['Plan the release'].status).toBe('pending');
    expect(byTitle['Test the release'].status).toBe('in_progress');

    const board = await app.http().get('/api/tasks').set(admin).expect(200);
    const statuses = board.body.tasks.map((task: { status: string }) => task.status).sort();
    expect(statuses).toEqual(['done', 'done', 'in_progress', 'review', 'review', 'todo', 'todo']);
    const built = board.body.tasks.find(
      (task: { title: string }) => task.title === 'Build the API',
    );
    expect(built).toMatchObject({
      id: ids.t1,
      agent: 'alpha',
      assignee: 'alpha',
      priority: 'high',
      tags: [],
      dependencies: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const card = (title: string) =>
      board.body.tasks.find((task: { title: string }) => task.title === title);
    // Minutes: a 90-minute estimate is 90; progress 25 % of 120 minutes shows as 30.
    expect(card('Plan the release')).toMatchObject({ status: 'todo', estimatedTime: 90 });
    expect(card('Plan the release').actualTime).toBeUndefined();
    expect(card('Test the release')).toMatchObject({
      status: 'in_progress',
      estimatedTime: 120,
      actualTime: 30,
    });
    expect(Object.keys(card('Test the release')).sort()).toEqual([
      'actualTime',
      'agent',
      'assignee',
      'createdAt',
      'dependencies',
      'description',
      'estimatedTime',
      'id',
      'priority',
      'status',
      'tags',
      'title',
      'updatedAt',
    ]);
  });

  it('metrics: completion and productivity per day, performance, hourly health', async () => {
    const { body } = await app.http().get('/api/metrics?range=7d').set(admin).expect(200);
    expect(body.taskCompletion).toHaveLength(7);
    expect(body.taskCompletion.at(-1)).toEqual({
      date: new Date().toISOString().slice(0, 10),
      completed: 2,
      failed: 1,
      total: 3,
    });
    expect(body.taskCompletion.slice(0, 6).every((day: { total: number }) => day.total === 0)).toBe(
      true,
    );
    const alpha = body.agentPerformance.find(
      (entry: { agentName: string }) => entry.agentName === 'alpha',
    );
    expect(alpha).toEqual({
      agentName: 'alpha',
      successRate: 100,
      avgResponseTime: 2.5,
      tasksCompleted: 2,
    });
    expect(
      body.agentPerformance.map((entry: { agentName: string }) => entry.agentName).sort(),
    ).toEqual(['alpha', 'beta']);
    // The collector's three snapshots fall in the last of 24 seven-hour buckets: their mean.
    const taken = await snapshots(snapshotIds);
    const mean = (pick: (s: any) => number) =>
      taken.reduce((sum, snapshot) => sum + pick(snapshot), 0) / taken.length;
    expect(body.systemHealth).toEqual([
      {
        timestamp: expect.any(String),
        cpu: round1(mean((s) => s.performance_metrics.cpu_usage_percentage)),
        memory: round1(mean((s) => s.performance_metrics.memory_usage_percentage)),
        activeConnections: Math.round(mean((s) => s.network_metrics.websocket_connections)),
      },
    ]);
    const age = (point: { timestamp: string }) => Date.now() - Date.parse(point.timestamp);
    expect(age(body.systemHealth[0])).toBeGreaterThan(0);
    expect(age(body.systemHealth[0])).toBeLessThanOrEqual(7 * 3_600_000 + 60_000);
    const day = await app.http().get('/api/metrics?range=24h').set(admin).expect(200);
    expect(day.body.systemHealth).toEqual([
      { ...body.systemHealth[0], timestamp: expect.any(String) },
    ]);
    expect(age(day.body.systemHealth[0])).toBeLessThanOrEqual(3_600_000 + 60_000);
    const today = body.productivity.at(-1);
    const hoursToday = Math.min(
      24,
      Math.max(1, (Date.now() - Date.parse(`${today.date}T00:00:00Z`)) / 3_600_000),
    );
    expect(today.agentsActive).toBe(2);
    expect(today.efficiency).toBe(66.7);
    expect(today.tasksPerHour).toBeCloseTo(2 / hoursToday, 1);
  });

  it('system figures count the workflow and its run', async () => {
    const { body } = await app
      .http()
      .get('/api/v1/system/metrics/workflows')
      .set(admin)
      .expect(200);
    expect(body).toMatchObject({
      total_workflows: 1,
      by_status: { running: 1 },
      by_type: { unspecified: 1 },
      performance: {
        completion_rate: 0,
        avg_progress: 0,
        avg_success_rate: 0,
        avg_duration: 0,
        template_count: 0,
      },
    });
    const status = await app.http().get('/api/v1/system/status').set(admin).expect(200);
    expect(status.body.workflows).toEqual({
      total_workflows: 1,
      active_workflows: 1,
      completed_workflows: 0,
      paused_workflows: 0,
    });
    const measured = await app.http().get('/api/v2/system/metrics').set(admin).expect(200);
    expect(measured.body.workload.workflows).toEqual({
      total: 1,
      by_status: expect.objectContaining({ running: 1, active: 0 }),
      runs: {
        total: 1,
        by_status: expect.objectContaining({ running: 1, completed: 0, failed: 0 }),
        // No run has finished yet.
        success_rate: null,
      },
    });
    const analytics = await app
      .http()
      .get('/api/v2/system/analytics?time_range=24h')
      .set(admin)
      .expect(200);
    expect(analytics.body.workflow_runs).toMatchObject({
      created: 1,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
  });

  it('history: tasks created, assigned, completed and failed', async () => {
    const { body } = await app.http().get('/api/history?range=24h').set(admin).expect(200);
    const count = (type: string) =>
      body.events.filter((event: { type: string }) => event.type === type).length;
    // Six tasks of ours and the run's step task.
    expect([
      count('task_created'),
      count('agent_assigned'),
      count('task_completed'),
      count('task_failed'),
    ]).toEqual([7, 4, 2, 1]);
    expect(
      body.events.find((event: { type: string }) => event.type === 'workflow_started'),
    ).toMatchObject({
      title: 'Release train',
      status: 'info',
      metadata: { workflowId: ids.run },
    });
    const completed = body.events.find(
      (event: { type: string; task: string }) =>
        event.type === 'task_completed' && event.task === 'Write the docs',
    );
    expect(completed).toMatchObject({
      status: 'success',
      agent: 'alpha',
      duration: 3,
      timestamp: expect.any(String),
    });
    // The failure shows its error (in the text and as a metadata chip).
    expect(
      body.events.find(
        (event: { type: string; task: string }) =>
          event.type === 'task_failed' && event.task === 'Review the code',
      ),
    ).toMatchObject({
      status: 'error',
      agent: 'beta',
      description: expect.stringContaining('lint errors'),
      metadata: { error: 'lint errors', status: 'failed' },
    });
    const lastHour = await app.http().get('/api/history?range=1h').set(admin).expect(200);
    expect(lastHour.body.events).toHaveLength(body.events.length);
    const times = body.events.map((event: { timestamp: string }) => Date.parse(event.timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('the existing dashboard: public read and live feed', () => {
  let stores: TestStores;
  let open: TestApp;
  let closed: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    open = await startTestApp(stores, { DASHBOARD_PUBLIC_READ: 'true' });
    closed = await startTestApp(stores, { DASHBOARD_PUBLIC_READ: 'false' });
  });

  afterAll(async () => {
    await open?.close();
    await closed?.close();
    await stores?.drop();
  });

  it('with DASHBOARD_PUBLIC_READ=true: routes and namespace / without credential, live agent and task changes', async () => {
    for (const path of ROUTES) await request(open.url).get(path).expect(200);
    const feed = await connectSocket(open.url, { namespace: '/' });
    const { body: agent } = await open
      .http()
      .post('/api/v2/agents')
      .set(admin)
      .send({ name: 'watched', agent_type: 'coder' })
      .expect(201);
    await open
      .http()
      .patch(`/api/v1/agents/${agent.id}/status`)
      .set(admin)
      .send({ status: 'offline' })
      .expect(200);
    const update = await feed.waitFor(
      'agent_status_update',
      (payload) => payload.agentId === agent.id && payload.status === 'error',
    );
    expect(update).toMatchObject({
      id: agent.id,
      name: 'watched',
      type: 'coder',
      tasksCompleted: 0,
      lastActive: expect.any(String),
      // Complete, for the /agents page, which replaces the whole object.
      performance: { successRate: 0, avgResponseTime: 0, totalTasks: 0 },
    });

    const { body: task } = await open
      .http()
      .post('/api/v2/tasks')
      .set(admin)
      .send({ title: 'Live task' })
      .expect(201);
    const created = await feed.waitFor(
      'task_update',
      (payload) => payload.taskId === task.id && payload.action === 'create',
    );
    expect(created.task).toMatchObject({
      id: task.id,
      title: 'Live task',
      status: 'todo',
      priority: 'medium',
    });
    await open
      .http()
      .put(`/api/v2/tasks/${task.id}`)
      .set(admin)
      .send({ title: 'Live task, renamed' })
      .expect(200);
    const updated = await feed.waitFor(
      'task_update',
      (payload) => payload.taskId === task.id && payload.action === 'update',
    );
    expect(updated.task.title).toBe('Live task, renamed');
    await open.http().delete(`/api/v2/tasks/${task.id}`).set(admin).expect(204);
    await feed.waitFor(
      'task_update',
      (payload) => payload.taskId === task.id && payload.action === 'delete',
    );
    const overview = await feed.waitFor('dashboard_update');
    expect(Object.keys(overview).sort()).toEqual(['agents', 'system', 'tasks']);
    feed.socket.emit('ping');
    await feed.waitFor('pong');
    // Nothing about jobs, files or users reaches namespace /.
    expect(
      feed.received.every((entry) =>
        [
          'agent_status_update',
          'task_update',
          'workflow_event',
          'dashboard_update',
          'system_metrics_update',
          'system_alert',
          'pong',
        ].includes(entry.event),
      ),
    ).toBe(true);
    feed.close();

    // Still closed: /v2 and every other route.
    await expect(connectSocket(open.url, { namespace: '/v2' })).rejects.toThrow('unauthorized');
    await request(open.url).get('/api/v2/agents').expect(401);
    await request(open.url).post('/api/v2/tasks').send({ title: 'x' }).expect(401);
  });

  it('with DASHBOARD_PUBLIC_READ=false: the same client is refused and the routes answer 401', async () => {
    for (const path of ROUTES) await request(closed.url).get(path).expect(401);
    await expect(connectSocket(closed.url, { namespace: '/' })).rejects.toThrow('unauthorized');
    await expect(connectSocket(closed.url, { namespace: '/v2' })).rejects.toThrow('unauthorized');
    const authorised = await connectSocket(closed.url, { namespace: '/', token: TEST_ADMIN_KEY });
    authorised.close();
    for (const path of ROUTES) await request(closed.url).get(path).set(admin).expect(200);
  });

  it('answers CORS preflights from the configured origins only', async () => {
    const allowed = await request(open.url)
      .options('/api/subforge/workflows')
      .set('Origin', 'http://localhost:3001')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'Content-Type');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3001');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/content-type/i);
    const refused = await request(open.url)
      .options('/api/dashboard/overview')
      .set('Origin', 'http://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
