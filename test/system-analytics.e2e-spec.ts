import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemMetricsService } from '../src/telemetry/snapshots/system-metrics.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, createApiKey } from './support/identities.js';
import { runJob } from './support/jobs.js';

const admin = apiKey(TEST_ADMIN_KEY);
const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;
const round2 = (value: number) => Math.round(value * 100) / 100;
const rate = (part: number, whole: number) => (whole ? round2((part / whole) * 100) : 0);

interface FixtureTask {
  id: string;
  agent: string | null;
  status: string;
  created: number;
  started: number | null;
  completed: number | null;
  priority?: string;
  type?: string;
  urgent?: boolean;
}

describe('system analytics and v1 entity metrics from stored data', () => {
  let stores: TestStores;
  let app: TestApp;
  let db: pg.Client;
  let viewer: string;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { AGENT_OFFLINE_AFTER_SECONDS: '86400' });
    db = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
    await stores?.drop();
  });

  const analytics = async (range = '24h', key = TEST_ADMIN_KEY) =>
    (
      await app
        .http()
        .get('/api/v2/system/analytics')
        .query({ time_range: range })
        .set(apiKey(key))
        .expect(200)
    ).body;

  it('an empty database gives zeros and empty lists', async () => {
    // The first request of this app: nothing is stored yet, not even API traffic.
    const body = await analytics('24h');
    expect(body.time_range).toBe('24h');
    expect(body.bucket_seconds).toBe(3600);
    expect(body.tasks).toMatchObject({
      created: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      success_rate: 0,
      throughput_per_hour: 0,
      duration_ms: { count: 0, avg: 0, p50: 0, p95: 0, min: 0, max: 0 },
    });
    expect(body.tasks.timeline).toHaveLength(24);
    for (const point of body.tasks.timeline)
      expect(point).toMatchObject({ created: 0, completed: 0, failed: 0, success_rate: 0 });
    expect(body.agents).toMatchObject({
      total: 0,
      active_in_range: 0,
      busy_ms: 0,
      capacity_ms: 0,
      utilisation_percent: 0,
      top_agents: [],
    });
    expect(Object.values(body.agents.by_status).every((count) => count === 0)).toBe(true);
    expect(body.jobs).toEqual({
      submitted: 0,
      finished: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      success_rate: 0,
      avg_duration_ms: 0,
      by_type: [],
    });
    expect(body.api).toEqual({
      requests: 0,
      errors: 0,
      error_rate: 0,
      requests_per_minute: 0,
      avg_latency_ms: 0,
      p95_latency_ms: 0,
      routes: [],
    });
    expect(body.usage.by_hour_of_day).toHaveLength(24);
    expect(body.usage.peak_hours).toEqual({
      api_requests: [],
      tasks_created: [],
      tasks_completed: [],
    });

    const agents = await app.http().get('/api/v1/system/metrics/agents').set(admin).expect(200);
    expect(agents.body).toMatchObject({
      total_agents: 0,
      by_type: {},
      performance: {
        avg_success_rate: 0,
        avg_response_time: 0,
        avg_uptime: 0,
        total_tasks_completed: 0,
        total_tasks_failed: 0,
      },
    });
    const tasks = await app.http().get('/api/v1/system/metrics/tasks').set(admin).expect(200);
    expect(tasks.body).toMatchObject({
      total_tasks: 0,
      by_type: {},
      by_priority: { low: 0, medium: 0, high: 0, critical: 0 },
      performance: {
        completion_rate: 0,
        avg_progress: 0,
        avg_duration: 0,
        blocked_count: 0,
        urgent_count: 0,
      },
    });
    viewer = (await createApiKey(app.url, 'viewer')).key;
  });

  describe('over a fixture of known tasks, agents, jobs and API traffic', () => {
    const now = Date.now();
    // Whole hours back from the start of this hour: far enough from both ends of the
    // 24-hour range that the hour turning during the test moves nothing out.
    const hour = Math.floor(now / HOUR) * HOUR;
    const at = (hoursBack: number, minutes = 0) => hour - hoursBack * HOUR + minutes * MINUTE;
    const agents = { alpha: randomUUID(), beta: randomUUID(), gamma: randomUUID() };
    const runningSince = now - 30 * MINUTE;
    const t = (
      agent: string | null,
      status: string,
      created: number,
      started: number | null,
      completed: number | null,
      extra: Partial<FixtureTask> = {},
    ): FixtureTask => ({ id: randomUUID(), agent, status, created, started, completed, ...extra });
    const tasks = [
      t(agents.alpha, 'completed', at(10), at(10, 5), at(10, 15), { type: 'review' }), // 10 min
      t(agents.alpha, 'completed', at(8), at(8, 5), at(8, 25), { type: 'review' }), // 20 min
      t(agents.beta, 'completed', at(8, 10), at(8, 10), at(8, 40)), // 30 min
      t(agents.beta, 'failed', at(5), at(5), at(5, 40), { priority: 'high' }), // 40 min
      t(agents.alpha, 'completed', at(3), at(3, 10), at(3, 50)), // 40 min
      t(null, 'cancelled', at(3), null, at(3, 5)),
      t(agents.gamma, 'in_progress', at(2), runningSince, null),
      t(null, 'pending', at(1), null, null, { urgent: true }),
      // Finished three days ago: outside every range but 7d and 30d.
      t(agents.alpha, 'completed', now - 3 * DAY, now - 3 * DAY, now - 3 * DAY + 10 * MINUTE),
      // Created before the range, completed inside it: a completion, not a creation.
      t(agents.beta, 'completed', now - 30 * HOUR, at(6, -20), at(6)), // 20 min
    ];

    beforeAll(async () => {
      const twoDaysAgo = new Date(now - 2 * DAY);
      for (const [name, id, type, status, capacity] of [
        ['alpha', agents.alpha, 'backend', 'idle', 1],
        ['beta', agents.beta, 'backend', 'idle', 2],
        ['gamma', agents.gamma, 'frontend', 'busy', 1],
      ] as const)
        await db.query(
          `INSERT INTO agents (id, name, agent_type, status, max_concurrent_tasks, created_at, updated_at, last_heartbeat)
           VALUES ($1, $2, $3, $4, $5, $6, $6, now())`,
          [id, name, type, status, capacity, twoDaysAgo],
        );
      const date = (ms: number | null) => (ms === null ? null : new Date(ms));
      for (const task of tasks)
        await db.query(
          `INSERT INTO tasks (id, title, status, priority, task_type, is_urgent, assigned_agent_id,
                              created_at, updated_at, started_at, completed_at, progress_percentage)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11)`,
          [
            task.id,
            `task ${task.id.slice(0, 8)}`,
            task.status,
            task.priority ?? 'medium',
            task.type ?? null,
            task.urgent ?? false,
            task.agent,
            date(task.created),
            date(task.started),
            date(task.completed),
            task.status === 'completed' ? 100 : 0,
          ],
        );
      const job = (
        name: string,
        status: string,
        started: number | null,
        ended: number,
        internal = false,
      ) =>
        db.query(
          `INSERT INTO background_tasks (id, task_name, queue, status, priority, internal, created_at, updated_at, started_at, completed_at)
           VALUES ($1, $2, 'system', $3, 'normal', $4, $5, $6, $7, $6)`,
          [
            randomUUID(),
            name,
            status,
            internal,
            new Date(started ?? ended),
            new Date(ended),
            date(started),
          ],
        );
      await job('fixture.alpha', 'completed', at(4), at(4) + 2_000);
      await job('fixture.alpha', 'failed', at(4), at(4) + 1_000);
      await job('fixture.beta', 'cancelled', null, at(2));
      await job('fixture.alpha', 'completed', at(4), at(4) + 9_000, true);
      await job('fixture.beta', 'completed', now - 3 * DAY, now - 3 * DAY + 500);
      // 1000 requests seven hours ago, 200 of them failed.
      await db.query(
        `INSERT INTO api_metrics (minute, method, route, status_class, credential, count, sum_ms, min_ms, max_ms, histogram)
         VALUES ($1, 'GET', '/fixture/route', '2xx', 'api_key', 800, 8000, 1, 40, '{}'),
                ($1, 'GET', '/fixture/route', '5xx', 'api_key', 200, 4000, 2, 90, '{}')`,
        [new Date(at(7, 3))],
      );
    });

    it('equals the hand-computed figures', async () => {
      const body = await analytics('24h', viewer);
      const since = Date.parse(body.since);
      const until = Date.parse(body.until);
      // 23 hours before this hour (or the next one, when the hour turned since the fixture).
      expect([hour - 23 * HOUR, hour - 22 * HOUR]).toContain(since);

      // Created in range: every task but the last two; finished in range: 5 completed, 1 failed, 1 cancelled.
      // Durations of the five completions: 10, 20, 30, 40 and 20 minutes.
      expect(body.tasks).toMatchObject({
        created: 8,
        completed: 5,
        failed: 1,
        cancelled: 1,
        success_rate: 83.33,
        throughput_per_hour: round2(5 / ((until - since) / HOUR)),
        duration_ms: {
          count: 5,
          avg: 24 * MINUTE, // (10 + 20 + 30 + 40 + 20) / 5 minutes
          p50: 20 * MINUTE,
          p95: 38 * MINUTE, // 30 + 0.8 × (40 - 30): percentile_cont interpolates
          min: 10 * MINUTE,
          max: 40 * MINUTE,
        },
      });
      const point = (hoursBack: number) =>
        body.tasks.timeline.find(
          (p: { timestamp: string }) => p.timestamp === new Date(at(hoursBack)).toISOString(),
        );
      expect(point(10)).toMatchObject({ created: 1, completed: 1, failed: 0, success_rate: 100 });
      expect(point(8)).toMatchObject({ created: 2, completed: 2, failed: 0 });
      expect(point(6)).toMatchObject({ created: 0, completed: 1 });
      expect(point(5)).toMatchObject({ created: 1, completed: 0, failed: 1, success_rate: 0 });
      expect(point(3)).toMatchObject({ created: 2, completed: 1, cancelled: 1, success_rate: 100 });
      expect(point(2)).toMatchObject({ created: 1, completed: 0 });
      expect(point(1)).toMatchObject({ created: 1 });
      const sum = (key: string) =>
        body.tasks.timeline.reduce((s: number, p: Record<string, number>) => s + p[key], 0);
      expect([sum('created'), sum('completed'), sum('failed'), sum('cancelled')]).toEqual([
        8, 5, 1, 1,
      ]);

      // Task time inside the range: alpha 10 + 20 + 40 min, beta 30 + 40 + 20 min, gamma since it started.
      const present = until - since;
      const busy = { alpha: 70 * MINUTE, beta: 90 * MINUTE, gamma: until - runningSince };
      expect(body.agents).toMatchObject({
        total: 3,
        by_status: { idle: 2, busy: 1, offline: 0 },
        active_in_range: 3,
        busy_ms: busy.alpha + busy.beta + busy.gamma,
        capacity_ms: present * (1 + 2 + 1),
        utilisation_percent: rate(busy.alpha + busy.beta + busy.gamma, present * 4),
      });
      expect(body.agents.top_agents).toEqual([
        {
          id: agents.alpha,
          name: 'alpha',
          agent_type: 'backend',
          status: 'idle',
          tasks_completed: 3,
          tasks_failed: 0,
          success_rate: 100,
          avg_duration_ms: (70 / 3) * MINUTE,
          busy_ms: busy.alpha,
          utilisation_percent: rate(busy.alpha, present),
        },
        {
          id: agents.beta,
          name: 'beta',
          agent_type: 'backend',
          status: 'idle',
          tasks_completed: 2,
          tasks_failed: 1,
          success_rate: 66.67,
          avg_duration_ms: 25 * MINUTE,
          busy_ms: busy.beta,
          utilisation_percent: rate(busy.beta, present * 2),
        },
        {
          id: agents.gamma,
          name: 'gamma',
          agent_type: 'frontend',
          status: 'busy',
          tasks_completed: 0,
          tasks_failed: 0,
          success_rate: 0,
          avg_duration_ms: 0,
          busy_ms: busy.gamma,
          utilisation_percent: rate(busy.gamma, present),
        },
      ]);

      // The internal run and the one three days old are left out.
      expect(body.jobs).toMatchObject({
        finished: 3,
        completed: 1,
        failed: 1,
        cancelled: 1,
        success_rate: 50,
        avg_duration_ms: 2_000,
      });
      expect(body.jobs.by_type).toEqual([
        {
          task_name: 'fixture.alpha',
          finished: 2,
          completed: 1,
          failed: 1,
          cancelled: 0,
          success_rate: 50,
          avg_duration_ms: 2_000,
        },
        {
          task_name: 'fixture.beta',
          finished: 1,
          completed: 0,
          failed: 0,
          cancelled: 1,
          success_rate: 0,
          avg_duration_ms: 0,
        },
      ]);
      expect(body.jobs.submitted).toBe(3);

      expect(body.api.routes[0]).toEqual({
        method: 'GET',
        route: '/fixture/route',
        count: 1000,
        errors: 200,
        error_rate: 20,
        avg_latency_ms: 12,
        p95_latency_ms: expect.any(Number),
      });

      const hourOf = (ms: number) => new Date(ms).getUTCHours();
      const label = (ms: number) => `${String(hourOf(ms)).padStart(2, '0')}:00`;
      expect(body.usage.by_hour_of_day[hourOf(at(7))].api_requests).toBe(1000);
      expect(body.usage.peak_hours.api_requests[0]).toEqual({ hour: label(at(7)), count: 1000 });
      // Created per hour: 2 at -8 h and at -3 h, 1 at -10, -5, -2 and -1 h.
      const created = [at(10), at(8), at(8), at(5), at(3), at(3), at(2), at(1)];
      expect(body.usage.peak_hours.tasks_created).toEqual(expected(created));
      const completed = [at(10), at(8), at(8), at(6), at(3)];
      expect(body.usage.peak_hours.tasks_completed).toEqual(expected(completed));
      for (const ms of created)
        expect(body.usage.by_hour_of_day[hourOf(ms)].tasks_created).toBe(
          created.filter((other) => hourOf(other) === hourOf(ms)).length,
        );

      // The same ranking rule, applied to the fixture by hand.
      function expected(times: number[]) {
        const counts = new Map<number, number>();
        for (const ms of times) counts.set(hourOf(ms), (counts.get(hourOf(ms)) ?? 0) + 1);
        return [...counts]
          .sort((a, b) => b[1] - a[1] || a[0] - b[0])
          .slice(0, 3)
          .map(([h, count]) => ({ hour: `${String(h).padStart(2, '0')}:00`, count }));
      }
    });

    it('a short range leaves out what is older', async () => {
      const body = await analytics('1h', viewer);
      expect(body.tasks.timeline).toHaveLength(60);
      // Only gamma's running task reaches into the last hour (the pending one was created at -1 h).
      expect(body.tasks).toMatchObject({ completed: 0, failed: 0 });
      expect(body.agents.top_agents.map((a: { name: string }) => a.name)).toEqual(['gamma']);
      const week = await analytics('7d', viewer);
      expect(week.tasks.completed).toBe(6);
      expect(
        week.jobs.by_type.find((j: { task_name: string }) => j.task_name === 'fixture.beta'),
      ).toMatchObject({ finished: 2, completed: 1 });
    });

    it('system.analyze_metrics stores the same analytics as its result', async () => {
      const direct = await analytics('24h', viewer);
      const job = await runJob(app, 'system.analyze_metrics', { time_range: '24h' });
      expect(job.status).toBe('completed');
      const result = job.result;
      expect(result.time_range).toBe('24h');
      expect(result.since).toBe(direct.since);
      const { throughput_per_hour: _a, ...tasks } = result.tasks;
      const { throughput_per_hour: _b, ...directTasks } = direct.tasks;
      expect(tasks).toEqual(directTasks);
      expect(result.agents.top_agents.map((a: { id: string }) => a.id)).toEqual(
        direct.agents.top_agents.map((a: { id: string }) => a.id),
      );
      expect(result.jobs.by_type).toEqual(direct.jobs.by_type);
      expect(result.api.routes[0]).toEqual(direct.api.routes[0]);
      await app
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'system.analyze_metrics', parameters: { time_range: '2d' } })
        .expect(400);
    });

    it('v1 metrics of agents and tasks come from the same rows', async () => {
      const taskMetrics = await app
        .http()
        .get('/api/v1/system/metrics/tasks')
        .set(apiKey(viewer))
        .expect(200);
      // Ten tasks: six completed (durations 10, 20, 30, 40, 10, 20 min), progress 100 on those.
      expect(taskMetrics.body).toEqual({
        total_tasks: 10,
        by_status: {
          pending: 1,
          in_progress: 1,
          completed: 6,
          failed: 1,
          blocked: 0,
          cancelled: 1,
        },
        by_priority: { low: 0, medium: 9, high: 1, critical: 0 },
        by_type: { review: 2, unspecified: 8 },
        performance: {
          completion_rate: 60,
          avg_progress: 60,
          avg_duration: 21 * MINUTE + 40_000, // 130 min / 6
          blocked_count: 0,
          urgent_count: 1,
        },
      });
      const agentMetrics = await app
        .http()
        .get('/api/v1/system/metrics/agents')
        .set(apiKey(viewer))
        .expect(200);
      const summary = await app
        .http()
        .get('/api/v1/agents/stats/summary')
        .set(apiKey(viewer))
        .expect(200);
      expect(agentMetrics.body).toEqual({
        total_agents: 3,
        by_status: {
          active: 0,
          idle: 2,
          busy: 1,
          offline: 0,
          error: 0,
          inactive: 0,
          restarting: 0,
        },
        by_type: { backend: 2, frontend: 1 },
        performance: {
          // alpha 4/4 = 100 %, beta 2/3 = 66.67 %, gamma nothing finished = 0 %.
          avg_success_rate: 55.56,
          // alpha (10 + 20 + 40 + 10) / 4 = 20 min, beta (30 + 20) / 2 = 25 min, gamma 0.
          avg_response_time: 15 * MINUTE,
          avg_uptime: summary.body.avg_uptime,
          total_tasks_completed: 6,
          total_tasks_failed: 1,
        },
      });
    });

    it('v1 status and snapshots carry the agent and task counts', async () => {
      const status = await app.http().get('/api/v1/system/status').set(apiKey(viewer)).expect(200);
      expect(status.body.agents).toMatchObject({ total_agents: 3, idle_agents: 2, busy_agents: 1 });
      expect(status.body.tasks).toEqual({
        total_tasks: 10,
        pending_tasks: 1,
        in_progress_tasks: 1,
        completed_tasks: 6,
        failed_tasks: 1,
        blocked_tasks: 0,
        cancelled_tasks: 1,
      });
      expect(status.body.workflows).toEqual({
        total_workflows: 0,
        active_workflows: 0,
        completed_workflows: 0,
        paused_workflows: 0,
      });

      const snapshot = await app.service.app.get(SystemMetricsService).collectSnapshot();
      expect(snapshot.workload!.tasks).toMatchObject({ total: 10, success_rate: 85.71 });
      const current = await app
        .http()
        .get('/api/v1/system/metrics/current')
        .set(apiKey(viewer))
        .expect(200);
      expect(current.body.id).toBe(snapshot.id);
      expect(current.body.system_overview).toMatchObject({ total_agents: 3, idle_agents: 2 });
      expect(current.body.task_overview).toMatchObject({ total_tasks: 10, completed_tasks: 6 });
      // Six of seven finished tasks completed; all seven ran on agents. No workflow run
      // has finished: the overall rate blends the two known ones.
      expect(current.body.success_rates).toEqual({
        overall_success_rate: 85.71,
        task_success_rate: 85.71,
        workflow_success_rate: null,
        agent_success_rate: 85.71,
      });
      expect(current.body.workflow_overview).toEqual({
        total_workflows: 0,
        active_workflows: 0,
        completed_workflows: 0,
        paused_workflows: 0,
      });
    });
  });

  it('validates time_range and needs a credential', async () => {
    await app
      .http()
      .get('/api/v2/system/analytics')
      .query({ time_range: '2h' })
      .set(admin)
      .expect(400);
    await app.http().get('/api/v2/system/analytics').expect(401);
    await app.http().get('/api/v1/system/metrics/tasks').expect(401);
    const docs = await app.http().get('/docs-json').expect(200);
    expect(docs.body.paths['/api/v2/system/analytics'].get).toBeDefined();
    expect(docs.body.paths['/api/v1/system/metrics/agents'].get).toBeDefined();
    expect(docs.body.paths['/api/v1/system/metrics/workflows'].get).toBeDefined();
    await app.http().get('/api/v1/system/metrics/workflows').expect(401);
  });
});
