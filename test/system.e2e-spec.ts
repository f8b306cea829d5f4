import { getQueueToken } from '@nestjs/bull';
import Bull, { type Queue } from 'bull';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../src/jobs/queues.js';
import { ApiMetricsRecorder } from '../src/telemetry/api-metrics/api-metrics.recorder.js';
import { SystemMetricsService } from '../src/telemetry/snapshots/system-metrics.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { waitForJob } from './support/jobs.js';
import { pollUntil } from './support/poll.js';
import { apiKey, createApiKey } from './support/identities.js';
import { connectSocket, TestSocket } from './support/socket.js';

const admin = apiKey(TEST_ADMIN_KEY);

interface RouteFigures {
  method: string;
  route: string;
  count: number;
  errors: number;
  error_rate: number;
  client_errors: number;
  server_errors: number;
  status_classes: Record<string, number>;
  by_credential: Record<string, number>;
  latency_ms: Record<'avg' | 'min' | 'p50' | 'p95' | 'p99' | 'max', number | null>;
}

describe('system: API metrics, measured metrics, snapshots, health, Prometheus, v1', () => {
  let stores: TestStores;
  let a: TestApp;
  let b: TestApp;
  let viewerKey: string;
  let db: pg.Client;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    a = await startTestApp(stores);
    b = await startTestApp(stores);
    viewerKey = (await createApiKey(a.url, 'viewer')).key;
    db = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await db?.end();
    await a?.close();
    await b?.close();
    await stores?.drop();
  });

  const metricsOf = async (app: TestApp) =>
    (await app.http().get('/api/v2/system/metrics').set(apiKey(viewerKey)).expect(200)).body;

  it('reports a scripted load exactly, merged across two instances', async () => {
    const user = await a
      .http()
      .post('/api/v2/users')
      .set(admin)
      .send({
        email: 'load@example.com',
        display_name: 'Load',
        password: 'load-password-1',
        role: 'viewer',
      })
      .expect(201);
    const calls: Promise<unknown>[] = [];
    // Route 1: 15 answers on A and 10 on B, all 200.
    for (let i = 0; i < 25; i++)
      calls.push((i < 15 ? a : b).http().get('/api/v2/auth/me').set(admin).expect(200));
    // Route 2: 12 found, 5 unknown ids (404), 3 malformed ids (400): 8 failures of 20.
    for (let i = 0; i < 12; i++)
      calls.push(
        (i % 2 ? a : b).http().get(`/api/v2/users/${user.body.id}`).set(admin).expect(200),
      );
    for (let i = 0; i < 5; i++)
      calls.push(a.http().get(`/api/v2/users/${randomUUID()}`).set(admin).expect(404));
    for (let i = 0; i < 3; i++)
      calls.push(b.http().get('/api/v2/users/not-a-uuid').set(admin).expect(400));
    await Promise.all(calls);
    // A cached list: the second answer comes from the cache and is timed all the same.
    const first = await a.http().get('/api/v2/users').set(admin).expect(200);
    const second = await a.http().get('/api/v2/users').set(admin).expect(200);
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['MISS', 'HIT']);

    await a.service.app.get(ApiMetricsRecorder).flush();
    await b.service.app.get(ApiMetricsRecorder).flush();

    const { body } = await a
      .http()
      .get('/api/v2/system/api-metrics')
      .query({ time_range: '1h' })
      .set(apiKey(viewerKey))
      .expect(200);
    const route = (path: string) =>
      (body.routes as RouteFigures[]).find((r) => r.method === 'GET' && r.route === path)!;

    const me = route('/api/v2/auth/me');
    expect(me).toMatchObject({
      count: 25,
      errors: 0,
      error_rate: 0,
      by_credential: { api_key: 25 },
    });

    const byId = route('/api/v2/users/:id');
    expect(byId).toMatchObject({
      count: 20,
      errors: 8,
      error_rate: 40,
      client_errors: 8,
      server_errors: 0,
      status_classes: { '2xx': 12, '3xx': 0, '4xx': 8, '5xx': 0 },
    });
    for (const figures of [me, byId]) {
      const { min, p50, p95, p99, max, avg } = figures.latency_ms;
      expect(min).toBeGreaterThan(0);
      expect(p50!).toBeGreaterThanOrEqual(min!);
      expect(p95!).toBeGreaterThanOrEqual(p50!);
      expect(p99!).toBeGreaterThanOrEqual(p95!);
      expect(max!).toBeGreaterThanOrEqual(p99!);
      expect(avg!).toBeLessThanOrEqual(max!);
    }
    expect(route('/api/v2/users')).toMatchObject({ count: 2, errors: 0 });

    const timelineTotal = (body.timeline as { count: number }[]).reduce((s, p) => s + p.count, 0);
    expect(timelineTotal).toBe(body.totals.count);
    expect(body.timeline).toHaveLength(60);
    expect(body.totals.count).toBe(
      (body.routes as RouteFigures[]).reduce((sum, r) => sum + r.count, 0),
    );

    // Stored per minute, not per request: a few aggregate rows hold the 25 requests.
    const { rows } = await db.query<{ rows: number; requests: number }>(
      `SELECT count(*)::int AS rows, sum(count)::int AS requests FROM api_metrics WHERE route = '/api/v2/auth/me'`,
    );
    expect(rows[0].requests).toBe(25);
    expect(rows[0].rows).toBeLessThanOrEqual(2);
  });

  it('validates time_range and requires a credential', async () => {
    const bad = await a
      .http()
      .get('/api/v2/system/api-metrics')
      .query({ time_range: '2h' })
      .set(apiKey(viewerKey))
      .expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'time_range' })]);
    await a.http().get('/api/v2/system/api-metrics').expect(401);
    await a.http().get('/api/v2/system/metrics').expect(401);
    await a.http().get('/api/v2/system/health').expect(401);
    for (const range of ['1h', '24h', '7d', '30d']) {
      const { body } = await a
        .http()
        .get('/api/v2/system/api-metrics')
        .query({ time_range: range })
        .set(apiKey(viewerKey))
        .expect(200);
      expect(body.time_range).toBe(range);
      expect(body.timeline.length).toBeGreaterThan(0);
    }
  });

  it('measures sockets: 50 connections show up locally and cluster-wide, and go away', async () => {
    const before = await metricsOf(a);
    const opened = await Promise.all(
      Array.from({ length: 50 }, () => connectSocket(a.url, { token: viewerKey })),
    );
    sockets.push(...opened);
    const during = await metricsOf(a);
    expect(during.sockets.local_connections).toBe(before.sockets.local_connections + 50);
    const cluster = await pollUntil(
      () => metricsOf(b),
      (m) => m.sockets.cluster_connections === before.sockets.cluster_connections + 50,
    );
    expect(cluster.sockets.cluster_connections).toBe(before.sockets.cluster_connections + 50);
    expect(cluster.sockets.local_connections).toBe(0);
    for (const socket of opened) socket.close();
    const after = await pollUntil(
      () => metricsOf(a),
      (m) => m.sockets.local_connections === before.sockets.local_connections,
    );
    expect(after.sockets.local_connections).toBe(before.sockets.local_connections);
  });

  it('measures queue depth: jobs added to a Bull queue raise it', async () => {
    const queue = a.service.app.get<Queue>(getQueueToken('files'), { strict: false });
    const depthOf = async () =>
      (await metricsOf(b)).queues.find((q: { name: string }) => q.name === 'files');
    const before = await depthOf();
    // Delayed an hour: counted, and never picked up by a worker during the test.
    const jobs = await Promise.all(
      Array.from({ length: 7 }, (_, i) => queue.add('probe', { i }, { delay: 3_600_000 })),
    );
    try {
      const after = await depthOf();
      expect(after.delayed).toBe(before.delayed + 7);
      expect(after.depth).toBe(before.depth + 7);
    } finally {
      await Promise.all(jobs.map((job) => job.remove()));
    }
    expect((await depthOf()).delayed).toBe(before.delayed);
  });

  it('measures the process, host, disk, database pool and Redis', async () => {
    const m = await metricsOf(a);
    expect(m.unavailable).toEqual([]);
    expect(m.process.pid).toBe(process.pid);
    expect(m.process.memory.rss_bytes).toBeGreaterThan(m.process.memory.heap_used_bytes);
    expect(m.process.window_ms).toBeGreaterThan(0);
    expect(m.process.event_loop.utilization_percent).toBeGreaterThanOrEqual(0);
    expect(m.host.cpus).toBeGreaterThan(0);
    expect(m.host.memory.used_bytes + m.host.memory.available_bytes).toBe(
      m.host.memory.total_bytes,
    );
    expect(m.disk.path).toBe(stores.env.UPLOAD_DIR);
    expect(m.disk.total_bytes).toBeGreaterThan(0);
    const pool = m.database.pool;
    expect(pool.max).toBe(4);
    expect(pool.in_use + pool.idle).toBe(pool.total);
    expect(pool.total).toBeLessThanOrEqual(pool.max);
    expect(m.redis.used_memory_bytes).toBeGreaterThan(0);
    expect(m.redis.connected_clients).toBeGreaterThan(0);
    expect(m.api.count).toBeGreaterThan(0);
    expect(m.api.requests_per_minute).toBeGreaterThan(0);
  });

  it('answers health with every check up, workers reported', async () => {
    const { body } = await a.http().get('/api/v2/system/health').set(apiKey(viewerKey)).expect(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual([
      'database',
      'disk',
      'queues',
      'redis',
      'socketio',
    ]);
    expect(body.details.disk).toMatchObject({ status: 'up', writable: true });
    expect(body.details.queues.queues.files).toMatchObject({ workers: expect.any(Number) });
    expect(body.details.socketio).toMatchObject({ status: 'up', namespaces: ['/v2', '/'] });
    const v1 = await a.http().get('/api/v1/system/health').set(apiKey(viewerKey)).expect(200);
    expect(v1.body).toMatchObject({
      status: 'healthy',
      checks: { database: true, redis: true, queues: true, disk: true, socketio: true },
      version: expect.any(String),
    });
  });

  it('collectSnapshot stores a snapshot and sends metrics_update to room metrics', async () => {
    const watcher = await connectSocket(b.url, { token: viewerKey });
    const dashboard = await connectSocket(b.url, { token: viewerKey, namespace: '/' });
    sockets.push(watcher, dashboard);
    expect(await watcher.ack('join_room', { room: 'metrics' })).toMatchObject({ ok: true });
    const outsider = await connectSocket(b.url, { token: viewerKey });
    sockets.push(outsider);

    const snapshot = await a.service.app.get(SystemMetricsService).collectSnapshot();
    expect(snapshot).toMatchObject({ source: 'collector', health: { status: 'ok' } });
    const event = await watcher.waitFor(
      'metrics_update',
      (envelope) => envelope.data?.metrics?.id === snapshot.id,
    );
    expect(event).toMatchObject({ type: 'metrics_update', rooms: ['metrics'] });
    expect(event.data.metrics.host.cpus).toBeGreaterThan(0);
    const feed = await dashboard.waitFor('system_metrics_update', (p) => p.id === snapshot.id);
    expect(feed.recorded_at).toBe(snapshot.recorded_at);
    expect(outsider.events('metrics_update')).toEqual([]);

    const { rows } = await db.query(
      'SELECT cpu_percent, memory_percent, connections FROM system_metrics WHERE id = $1',
      [snapshot.id],
    );
    expect(rows[0].memory_percent).toBe(snapshot.host.memory.used_percent);

    // v1 reads it while it is fresh, in the original shape.
    const current = await a
      .http()
      .get('/api/v1/system/metrics/current')
      .set(apiKey(viewerKey))
      .expect(200);
    expect(current.body.id).toBe(snapshot.id);
    expect(current.body.performance_metrics.memory_usage_percentage).toBe(
      snapshot.host.memory.used_percent,
    );
    expect(current.body.network_metrics.websocket_connections).toBe(
      snapshot.sockets!.cluster_connections,
    );
    expect(current.body.system_health.health_checks).toEqual(snapshot.health.checks);
    const history = await a
      .http()
      .get('/api/v1/system/metrics/history')
      .query({ limit: 1 })
      .set(apiKey(viewerKey))
      .expect(200);
    expect(history.body.map((s: { id: string }) => s.id)).toEqual([snapshot.id]);
    const none = await a
      .http()
      .get('/api/v1/system/metrics/history')
      .query({ end_date: '2000-01-01T00:00:00Z' })
      .set(apiKey(viewerKey))
      .expect(200);
    expect(none.body).toEqual([]);
  });

  it('v1 POST /metrics keeps reported figures apart from the measured ones', async () => {
    const operator = (await createApiKey(a.url, 'operator')).key;
    const { body } = await a
      .http()
      .post('/api/v1/system/metrics')
      .set(apiKey(operator))
      .send({
        cpu_usage_percentage: 99.5,
        websocket_connections: 1234,
        detailed_metrics: { gpu: 3 },
      })
      .expect(201);
    expect(body.reported_metrics).toEqual({
      cpu_usage_percentage: 99.5,
      websocket_connections: 1234,
      detailed_metrics: { gpu: 3 },
    });
    expect(body.performance_metrics.cpu_usage_percentage).toBe(
      body.detailed_metrics.host.cpu_percent,
    );
    expect(body.network_metrics.websocket_connections).toBe(
      body.detailed_metrics.sockets.cluster_connections,
    );
    // Workflows are measured too, from the same counts.
    expect(body.workflow_overview.total_workflows).toBe(
      body.detailed_metrics.workload.workflows.total,
    );
    await a
      .http()
      .post('/api/v1/system/metrics')
      .set(apiKey(operator))
      .send({ cpu_usage_percentage: 150 })
      .expect(400);
    await a
      .http()
      .post('/api/v1/system/metrics')
      .set(apiKey(operator))
      .send({ uptime: 5 })
      .expect(400);
    await a.http().post('/api/v1/system/metrics').set(apiKey(viewerKey)).send({}).expect(403);
  });

  it('v1 status has the real uptime', async () => {
    const { body } = await a.http().get('/api/v1/system/status').set(apiKey(viewerKey)).expect(200);
    expect(body.status).toBe('running');
    expect(Math.abs(body.uptime_seconds - process.uptime())).toBeLessThan(3);
    expect(body.uptime).toMatch(/^(\d+ days?, )?\d+:\d\d:\d\d$/);
    expect(body.connected_clients).toBeGreaterThanOrEqual(0);
  });

  it('v1 cleanup deletes what is past retention and counts it truly', async () => {
    await db.query(
      `INSERT INTO system_metrics (source, instance_id, snapshot, recorded_at)
       SELECT 'collector', 'old', '{}', now() - interval '40 days' FROM generate_series(1, 3)`,
    );
    await db.query(
      `INSERT INTO api_metrics (minute, method, route, status_class, credential, count, sum_ms, min_ms, max_ms, histogram)
       VALUES (date_trunc('minute', now() - interval '40 days'), 'GET', '/old', '2xx', 'none', 4, 4, 1, 1, '{4}'),
              (date_trunc('minute', now() - interval '35 days'), 'GET', '/old', '5xx', 'none', 1, 9, 9, 9, '{0,1}')`,
    );
    await db.query(
      `INSERT INTO events (id, type, rooms, data, created_at)
       SELECT nextval('events_id_seq'), 'system_notification', '{system}', '{}', now() - (d || ' days')::interval
       FROM unnest(ARRAY[40, 40, 10, 10, 10]) AS d`,
    );
    await a.http().post('/api/v1/system/maintenance/cleanup').set(apiKey(viewerKey)).expect(403);
    const month = await a
      .http()
      .post('/api/v1/system/maintenance/cleanup')
      .query({ days_to_keep: 30 })
      .set(admin)
      .expect(200);
    // Events go once older than EVENT_RETENTION_DAYS (7), whatever days_to_keep says.
    expect(month.body).toMatchObject({
      message: 'Cleanup completed',
      deleted: { metric_snapshots: 3, api_metrics: 2, events: 5, agent_logs: 0 },
      deleted_records: 10,
    });
    const counts = await db.query<{ s: number }>(
      'SELECT (SELECT count(*) FROM system_metrics)::int AS s',
    );
    // The snapshots left (the collector may have added one since).
    expect(month.body.remaining_records).toBeLessThanOrEqual(counts.rows[0].s);
    expect(month.body.remaining_records).toBeGreaterThanOrEqual(counts.rows[0].s - 1);
    const again = await a
      .http()
      .post('/api/v1/system/maintenance/cleanup')
      .query({ days_to_keep: 3 })
      .set(admin)
      .expect(200);
    expect(again.body.deleted_records).toBe(0);
    await a
      .http()
      .post('/api/v1/system/maintenance/cleanup')
      .query({ days_to_keep: -1 })
      .set(admin)
      .expect(400);
  });

  it('serves Prometheus text to credentials only, with the HTTP histogram and the gauges', async () => {
    await a.http().get('/metrics').expect(401);
    // A real job feeds the job metrics of the instance whose worker ran it (a or b).
    const { body: job } = await a
      .http()
      .post('/api/v2/background-tasks')
      .set(admin)
      .send({ task_name: 'system.collect_metrics' })
      .expect(201);
    await waitForJob(a, job.id as string, ['completed']);
    const { text, headers } = await a.http().get('/metrics').set(apiKey(viewerKey)).expect(200);
    expect(headers['content-type']).toMatch(/^text\/plain/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v2\/auth\/me",status_code="200"\} \d+/,
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/api/v2/users/:id",status_code="404"}',
    );
    expect(text).toMatch(/subforge_socketio_connections \d+/);
    expect(text).toMatch(/subforge_queue_jobs\{queue="files",state="waiting"\} \d+/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds \d/);
    const bothInstances = async () =>
      Promise.all(
        [a, b].map(async (app) => (await app.http().get('/metrics').set(apiKey(viewerKey))).text),
      );
    const counted = (texts: string[]) =>
      texts.some(
        (one) =>
          /subforge_jobs_total\{type="system.collect_metrics",outcome="completed"\} [1-9]/.test(
            one,
          ) &&
          /subforge_job_duration_seconds_count\{type="system.collect_metrics",outcome="completed"\} [1-9]/.test(
            one,
          ),
      );
    expect(counted(await pollUntil(bothInstances, counted))).toBe(true);
  });

  it('documents the time_range enum by name', async () => {
    const { body } = await a.http().get('/docs-json').expect(200);
    expect(body.components.schemas.TimeRange).toMatchObject({ enum: ['1h', '24h', '7d', '30d'] });
    expect(body.paths['/api/v2/system/api-metrics'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'time_range' })]),
    );
    expect(body.paths['/metrics'].get).toBeDefined();
  });
});

describe('system health in ROLE=api: queues need live workers elsewhere', () => {
  let stores: TestStores;
  let api: TestApp;
  const workers: Bull.Queue[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    api = await startTestApp(stores, { ROLE: 'api' });
  });

  afterAll(async () => {
    await Promise.all(workers.map((queue) => queue.close()));
    await api?.close();
    await stores?.drop();
  });

  it('v1 current measures on demand when no snapshot is fresh, once for concurrent readers', async () => {
    const [one, two] = await Promise.all(
      [1, 2].map(() => api.http().get('/api/v1/system/metrics/current').set(admin).expect(200)),
    );
    expect(one.body.id).toBe(two.body.id);
    // Measured while no worker consumes the queues: the snapshot says so.
    expect(one.body.system_health).toMatchObject({
      is_healthy: false,
      health_checks: { database: 'up', redis: 'up', queues: 'down' },
    });
    const again = await api.http().get('/api/v1/system/metrics/current').set(admin).expect(200);
    expect(again.body.id).toBe(one.body.id);
  });

  it('fails the queues check while no worker consumes them, and passes once one does', async () => {
    const before = await api.http().get('/api/v2/system/health').set(admin).expect(503);
    expect(before.body.details).toEqual([
      { field: 'queues', message: 'no live worker for system, agents, files, workflows' },
    ]);
    expect(before.body.checks.queues.queues.files.workers).toBe(0);

    // A worker process elsewhere: Bull names its blocking connection, which is what counts.
    for (const name of QUEUE_NAMES) {
      const queue = new Bull(name, stores.env.REDIS_URL!, {
        prefix: `${stores.env.REDIS_KEY_PREFIX}:bull`,
      });
      void queue.process(async () => undefined);
      workers.push(queue);
    }
    const after = await pollUntil(
      () => api.http().get('/api/v2/system/health').set(admin),
      (response) => response.status === 200,
    );
    expect(after.status).toBe(200);
    expect(after.body.details.queues.queues.files.workers).toBe(1);
  });
});
