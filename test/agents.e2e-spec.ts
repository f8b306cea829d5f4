import { DataSource, type EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AgentHeartbeatsService } from '../src/agents/agent-heartbeats.service.js';
import { AgentLogsService } from '../src/agents/agent-logs.service.js';
import { AgentsRepository } from '../src/agents/agents.repository.js';
import { AgentsService } from '../src/agents/agents.service.js';
import type { AgentEntity } from '../src/agents/entities/agent.entity.js';
import { JobCatalog } from '../src/jobs/job-catalog.service.js';
import { EventBus } from '../src/realtime/event-bus.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, createApiKey, createUser, bearer } from './support/identities.js';
import { connectSocket, TestSocket } from './support/socket.js';
import { pollUntil, sleep } from './support/poll.js';
import { asAnotherClient } from './support/transaction-guard.js';

const admin = apiKey(TEST_ADMIN_KEY);
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('agents', () => {
  let stores: TestStores;
  let app: TestApp;
  let viewerKey: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { AGENT_OFFLINE_AFTER_SECONDS: '2' });
    viewerKey = (await createApiKey(app.url, 'viewer')).key;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app?.close();
    await stores?.drop();
  });

  async function connect(token: string, rooms?: string[]) {
    const socket = await connectSocket(app.url, { token, rooms });
    sockets.push(socket);
    return socket;
  }

  async function createAgent(body: Record<string, unknown> = {}) {
    const response = await app
      .http()
      .post('/api/v2/agents')
      .set(admin)
      .send({
        name: `agent-${Math.random().toString(36).slice(2, 10)}`,
        agent_type: 'backend',
        ...body,
      })
      .expect(201);
    return response.body;
  }

  describe('v2 registry', () => {
    it('creates, reads, updates and deletes, with the contract shape', async () => {
      const created = await createAgent({
        name: 'writer',
        agent_type: 'docs',
        description: 'Writes the docs',
        tools: ['read', 'write'],
        capabilities: ['markdown'],
        tags: ['team-a'],
        metadata: { owner: 'ops' },
        max_concurrent_tasks: 2,
      });
      expect(created).toMatchObject({
        id: expect.any(String),
        name: 'writer',
        agent_type: 'docs',
        model: 'claude-3-sonnet',
        status: 'idle',
        current_task: null,
        is_active: true,
        max_concurrent_tasks: 2,
        tags: ['team-a'],
        metadata: { owner: 'ops' },
        configuration: {},
        last_heartbeat: null,
        performance_metrics: {
          tasks_completed: 0,
          tasks_failed: 0,
          success_rate: 0,
          avg_response_time: 0,
          // No heartbeat yet: no data behind the figure.
          uptime_percentage: null,
        },
      });
      expect(created.created_at).toMatch(/Z$/);

      const got = await app
        .http()
        .get(`/api/v2/agents/${created.id}`)
        .set(apiKey(viewerKey))
        .expect(200);
      expect(got.body.id).toBe(created.id);

      const updated = await app
        .http()
        .put(`/api/v2/agents/${created.id}`)
        .set(admin)
        .send({ description: 'Writes everything', tags: ['team-b'] })
        .expect(200);
      expect(updated.body).toMatchObject({ description: 'Writes everything', tags: ['team-b'] });
      // Read-your-writes through the cache.
      const again = await app
        .http()
        .get(`/api/v2/agents/${created.id}`)
        .set(apiKey(viewerKey))
        .expect(200);
      expect(again.body.tags).toEqual(['team-b']);

      await app.http().delete(`/api/v2/agents/${created.id}`).set(admin).expect(204);
      await app.http().get(`/api/v2/agents/${created.id}`).set(admin).expect(404);
      await app.http().delete(`/api/v2/agents/${created.id}`).set(admin).expect(404);
    });

    it('answers the error paths: 409 duplicate, 404, 400 for ids, fields, status and sort_by', async () => {
      await createAgent({ name: 'dup', agent_type: 'qa' });
      const dup = await app
        .http()
        .post('/api/v2/agents')
        .set(admin)
        .send({ name: 'dup', agent_type: 'qa' })
        .expect(409);
      expect(dup.body).toMatchObject({ status_code: 409, message: expect.stringContaining('dup') });
      // Same name, other type: fine.
      await createAgent({ name: 'dup', agent_type: 'devops' });
      const other = await createAgent({ name: 'dup2', agent_type: 'qa' });
      await app
        .http()
        .put(`/api/v2/agents/${other.id}`)
        .set(admin)
        .send({ name: 'dup' })
        .expect(409);

      await app.http().get(`/api/v2/agents/${UNKNOWN}`).set(admin).expect(404);
      await app.http().put(`/api/v2/agents/${UNKNOWN}`).set(admin).send({ tags: [] }).expect(404);
      const badId = await app.http().get('/api/v2/agents/not-a-uuid').set(admin).expect(400);
      expect(badId.body.details[0].field).toBe('id');
      const badStatus = await app
        .http()
        .post('/api/v2/agents')
        .set(admin)
        .send({ name: 'x', agent_type: 'y', status: 'sleeping' })
        .expect(400);
      expect(badStatus.body.details.map((d: { field: string }) => d.field)).toContain('status');
      await app
        .http()
        .post('/api/v2/agents')
        .set(admin)
        .send({ name: 'x', agent_type: 'y', is_admin: true })
        .expect(400);
      // Optional is not nullable: null for a required column is a 400, not a database error.
      for (const field of ['model', 'tools', 'name', 'metadata', 'max_concurrent_tasks']) {
        const response = await app
          .http()
          .put(`/api/v2/agents/${other.id}`)
          .set(admin)
          .send({ [field]: null })
          .expect(400);
        expect(response.body.details[0].field).toBe(field);
      }
      // v2 PUT does not set the status: commands and heartbeats do.
      await app
        .http()
        .put(`/api/v2/agents/${other.id}`)
        .set(admin)
        .send({ status: 'busy' })
        .expect(400);
      await app.http().get('/api/v2/agents?sort_by=password').set(admin).expect(400);
      await app.http().get('/api/v2/agents?status=sleeping').set(admin).expect(400);
      await app.http().get('/api/v2/agents?is_active=maybe').set(admin).expect(400);
      await app.http().get('/api/v2/agents?limit=0').set(admin).expect(400);
    });

    it('lists with filters, search, tags, sorting, the envelope and headers', async () => {
      const type = `list-${Date.now()}`;
      const a = await createAgent({ name: 'alpha scout', agent_type: type, tags: ['red'] });
      const b = await createAgent({
        name: 'bravo',
        agent_type: type,
        tags: ['blue'],
        description: 'a SCOUT too',
      });
      const c = await createAgent({ name: 'charlie', agent_type: type, tags: ['green', 'red'] });
      await app.http().post(`/api/v2/agents/${c.id}/stop`).set(admin).send({}).expect(200);

      const all = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, sort_by: 'name', sort_order: 'asc', limit: 2 })
        .set(admin)
        .expect(200);
      expect(all.body.meta).toEqual({ total: 3, skip: 0, limit: 2 });
      expect(all.body.data.map((x: { name: string }) => x.name)).toEqual(['alpha scout', 'bravo']);
      expect(all.headers['x-total-count']).toBe('3');
      expect(all.headers['x-total-pages']).toBe('2');
      // The default order is newest first; the total counts under the same filters,
      // also on a page past the last one.
      const newest = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, limit: 2 })
        .set(admin)
        .expect(200);
      expect(newest.body.data.map((x: { id: string }) => x.id)).toEqual([c.id, b.id]);
      expect(newest.body.meta.total).toBe(3);
      const beyond = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, skip: 5 })
        .set(admin)
        .expect(200);
      expect(beyond.body).toMatchObject({ data: [], meta: { total: 3, skip: 5 } });

      const search = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, search: 'scout' })
        .set(admin)
        .expect(200);
      expect(search.body.data.map((x: { id: string }) => x.id).sort()).toEqual([a.id, b.id].sort());

      const tags = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, tags: 'red,blue' })
        .set(admin)
        .expect(200);
      expect(tags.body.meta.total).toBe(3);
      const green = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, tags: 'green' })
        .set(admin)
        .expect(200);
      expect(green.body.data.map((x: { id: string }) => x.id)).toEqual([c.id]);

      const inactive = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, is_active: 'false' })
        .set(admin)
        .expect(200);
      expect(inactive.body.data.map((x: { id: string }) => x.id)).toEqual([c.id]);
      const stopped = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, status: 'inactive' })
        .set(admin)
        .expect(200);
      expect(stopped.body.data.map((x: { id: string }) => x.id)).toEqual([c.id]);

      const literal = await app
        .http()
        .get('/api/v2/agents')
        .query({ agent_type: type, search: '%' })
        .set(admin)
        .expect(200);
      expect(literal.body.meta.total).toBe(0);
    });
  });

  describe('v1 in the original shapes', () => {
    it('creates (201), lists as a plain array, gets, updates, sets status and deletes', async () => {
      const created = await app
        .http()
        .post('/api/v1/agents')
        .set(admin)
        .send({ name: 'v1 agent', agent_type: 'frontend', tools: ['edit'] })
        .expect(201);
      expect(created.body).toMatchObject({
        name: 'v1 agent',
        agent_type: 'frontend',
        status: 'idle',
        current_task: { id: null, title: null },
        performance_metrics: { tasks_completed: 0 },
      });
      expect(created.body).not.toHaveProperty('tags');
      const id = created.body.id;

      const list = await app
        .http()
        .get('/api/v1/agents')
        .query({ agent_type: 'frontend', is_active: 'true' })
        .set(admin)
        .expect(200);
      expect(Array.isArray(list.body)).toBe(true);
      expect(list.body.map((x: { id: string }) => x.id)).toContain(id);
      await app.http().get('/api/v1/agents?limit=1001').set(admin).expect(400);

      const put = await app
        .http()
        .put(`/api/v1/agents/${id}`)
        .set(admin)
        .send({ model: 'claude-opus', status: 'active' })
        .expect(200);
      expect(put.body).toMatchObject({ model: 'claude-opus', status: 'active' });

      const task = '11111111-1111-4111-8111-111111111111';
      const status = await app
        .http()
        .patch(`/api/v1/agents/${id}/status`)
        .set(admin)
        .send({ status: 'error', current_task_id: task, current_task_title: 'Fix it' })
        .expect(200);
      expect(status.body).toMatchObject({
        status: 'error',
        current_task: { id: task, title: 'Fix it' },
      });
      await app
        .http()
        .patch(`/api/v1/agents/${id}/status`)
        .set(admin)
        .send({ status: 'bad' })
        .expect(400);

      const metrics = await app
        .http()
        .patch(`/api/v1/agents/${id}/metrics`)
        .set(admin)
        .send({ tasks_completed: 9, tasks_failed: 1, uptime_percentage: 80 })
        .expect(200);
      expect(metrics.body.performance_metrics).toMatchObject({
        tasks_completed: 0,
        tasks_failed: 0,
        success_rate: 0,
        reported_tasks_completed: 9,
        reported_tasks_failed: 1,
        reported_success_rate: 90,
        reported_uptime_percentage: 80,
      });

      const stats = await app.http().get('/api/v1/agents/stats/summary').set(admin).expect(200);
      expect(stats.body).toMatchObject({
        total_agents: expect.any(Number),
        active_agents: expect.any(Number),
        idle_agents: expect.any(Number),
        busy_agents: expect.any(Number),
        offline_agents: expect.any(Number),
        avg_success_rate: 0,
        avg_response_time: 0,
        avg_uptime: expect.any(Number),
      });

      const removed = await app.http().delete(`/api/v1/agents/${id}`).set(admin).expect(200);
      expect(removed.body).toEqual({ message: 'Agent deleted successfully' });
      await app.http().get(`/api/v1/agents/${id}`).set(admin).expect(404);
    });

    it('heartbeat: ignores agent_id, echoes timestamp, writes known fields only', async () => {
      const agent = await createAgent();
      const timestamp = '2026-01-01T12:00:00.000Z';
      const beat = await app
        .http()
        .post(`/api/v1/agents/${agent.id}/heartbeat`)
        .set(admin)
        .send({
          agent_id: UNKNOWN,
          status: 'active',
          timestamp,
          metrics: { id: UNKNOWN, name: 'hijacked', created_at: 'x', tasks_completed: 7 },
        })
        .expect(200);
      expect(beat.body).toEqual({ status: 'heartbeat_received', timestamp });
      const after = await app.http().get(`/api/v1/agents/${agent.id}`).set(admin).expect(200);
      expect(after.body).toMatchObject({
        id: agent.id,
        name: agent.name,
        status: 'active',
        performance_metrics: { tasks_completed: 0, reported_tasks_completed: 7 },
      });
      expect(after.body.last_heartbeat).not.toBeNull();
    });
  });

  describe('commands', () => {
    it('bulk over 3 valid, 1 unknown and 1 duplicate id: per-item results and 3 events', async () => {
      const ids = [(await createAgent()).id, (await createAgent()).id, (await createAgent()).id];
      const dashboard = await connect(viewerKey, ['agents']);
      const response = await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({ agent_ids: [ids[0], ids[1], UNKNOWN, ids[2], ids[0]], operation: 'stop' })
        .expect(200);
      expect(response.body).toEqual({
        operation: 'stop',
        total_agents: 5,
        successful: 3,
        failed: 2,
        results: [
          { agent_id: ids[0], success: true, action: 'stop' },
          { agent_id: ids[1], success: true, action: 'stop' },
          { agent_id: UNKNOWN, success: false, error: 'Agent not found' },
          { agent_id: ids[2], success: true, action: 'stop' },
          {
            agent_id: ids[0],
            success: false,
            error: expect.stringContaining('Duplicate'),
          },
        ],
      });
      for (const id of ids) {
        const event = await dashboard.waitFor(
          'agent_update',
          (envelope) => envelope.data.event === 'status_changed' && envelope.data.agent.id === id,
        );
        expect(event.data).toMatchObject({
          previous_status: 'idle',
          agent: { status: 'inactive' },
        });
      }
      await app.service.app.get(EventBus).flushed();
      await sleep(300);
      const statusEvents = dashboard
        .events('agent_update')
        .filter((e) => e.data.event === 'status_changed' && ids.includes(e.data.agent.id));
      expect(statusEvents).toHaveLength(3);

      const updated = await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({ agent_ids: ids, operation: 'update', parameters: { tags: ['bulk'] } })
        .expect(200);
      expect(updated.body.successful).toBe(3);
      const tagged = await app.http().get('/api/v2/agents?tags=bulk').set(admin).expect(200);
      expect(tagged.body.meta.total).toBe(3);

      const deleted = await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({ agent_ids: [ids[0]], operation: 'delete' })
        .expect(200);
      expect(deleted.body.results).toEqual([
        { agent_id: ids[0], success: true, action: 'deleted' },
      ]);
    });

    it('refuses unknown operations, bad parameters and too many ids with 400', async () => {
      const agent = await createAgent();
      await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({ agent_ids: [agent.id], operation: 'explode' })
        .expect(400);
      const bad = await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({ agent_ids: [agent.id], operation: 'update', parameters: { id: UNKNOWN } })
        .expect(400);
      expect(bad.body.details[0].field).toBe('parameters.id');
      const empty = await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({ agent_ids: [agent.id], operation: 'update', parameters: {} })
        .expect(400);
      expect(empty.body.details).toEqual([
        { field: 'parameters', message: 'must name at least one field to change' },
      ]);
      await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({ agent_ids: [], operation: 'start' })
        .expect(400);
      await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(admin)
        .send({
          agent_ids: Array.from({ length: 101 }, () => agent.id),
          operation: 'start',
        })
        .expect(400);
      await app
        .http()
        .post('/api/v2/agents/bulk-operation')
        .set(apiKey(viewerKey))
        .send({ agent_ids: [agent.id], operation: 'start' })
        .expect(403);
    });

    it('a restart reaches the socket of that agent’s key; inactive holds until start', async () => {
      const agent = await createAgent();
      const key = await createApiKey(app.url, 'agent', agent.id);
      const agentSocket = await connect(key.key);
      const restarted = await app
        .http()
        .post(`/api/v2/agents/${agent.id}/restart`)
        .set(admin)
        .send({ parameters: { reason: 'upgrade' } })
        .expect(200);
      expect(restarted.body).toMatchObject({ command: 'restart', agent: { status: 'restarting' } });
      const command = await agentSocket.waitFor('agent_command');
      expect(command).toMatchObject({
        type: 'agent_command',
        rooms: [`agent:${agent.id}`],
        data: { event: 'command', command: 'restart', parameters: { reason: 'upgrade' } },
      });

      await app.http().post(`/api/v2/agents/${agent.id}/stop`).set(admin).send({}).expect(200);
      const ack = await agentSocket.ack('agent_heartbeat', { status: 'active' });
      expect(ack).toMatchObject({ ok: true, agent_id: agent.id, status: 'inactive' });
      const started = await app
        .http()
        .post(`/api/v2/agents/${agent.id}/start`)
        .set(admin)
        .send({})
        .expect(200);
      expect(started.body.agent).toMatchObject({ status: 'active', is_active: true });
      await app.http().post(`/api/v2/agents/${agent.id}/explode`).set(admin).send({}).expect(404);
    });
  });

  describe('heartbeats and agent keys', () => {
    it('uptime is null until the first heartbeat, then counts from it, not from creation', async () => {
      const agent = await createAgent();
      const key = await createApiKey(app.url, 'agent', agent.id);
      const uptime = async () =>
        (await app.http().get(`/api/v2/agents/${agent.id}`).set(apiKey(key.key)).expect(200)).body
          .performance_metrics.uptime_percentage;
      const metricsUptime = async () =>
        (
          await app
            .http()
            .get(`/api/v2/agents/${agent.id}/metrics?time_range=1h`)
            .set(apiKey(key.key))
            .expect(200)
        ).body.uptime_percentage;
      expect(await uptime()).toBeNull();
      expect(await metricsUptime()).toBeNull();
      // Silent for a while after creation: that time is not counted against it.
      await sleep(1_500);
      await app
        .http()
        .post(`/api/v2/agents/${agent.id}/heartbeat`)
        .set(apiKey(key.key))
        .send({ status: 'idle' })
        .expect(200);
      await sleep(300);
      expect(await uptime()).toBe(100);
      expect(await metricsUptime()).toBe(100);
    });

    it('socket heartbeats keep an agent up; silence makes it offline, seen by a dashboard client', async () => {
      const agent = await createAgent();
      const key = await createApiKey(app.url, 'agent', agent.id);
      const agentSocket = await connect(key.key);
      const dashboard = await connect(viewerKey, ['agents']);

      const ack = await agentSocket.ack('agent_heartbeat', {
        status: 'active',
        metrics: { avg_response_time: 120 },
      });
      expect(ack).toEqual({
        ok: true,
        agent_id: agent.id,
        status: 'active',
        last_heartbeat: expect.any(String),
        offline_after_seconds: 2,
      });
      const bad = await agentSocket.ack('agent_heartbeat', { status: 'sleepy' });
      expect(bad).toMatchObject({ ok: false, error: { status_code: 400 } });

      const sweeper = app.service.app.get(AgentHeartbeatsService);
      // Still fresh: nothing happens.
      expect((await sweeper.checkHeartbeats()).marked_offline).not.toContain(agent.id);
      await sleep(2_200);
      // This sweep, or the scheduled one (every 15 s) if it ran during the silence, flips it.
      await sweeper.checkHeartbeats();
      const { body: silent } = await app
        .http()
        .get(`/api/v2/agents/${agent.id}`)
        .set(admin)
        .expect(200);
      expect(silent).toMatchObject({ status: 'offline', is_active: false });
      // Once only, recorded as the sweep's doing.
      expect((await sweeper.checkHeartbeats()).marked_offline).not.toContain(agent.id);
      const [{ sweeps }] = await app.service.app
        .get(DataSource)
        .query<{ sweeps: number }[]>(
          `SELECT count(*)::int AS sweeps FROM agent_status_history WHERE agent_id = $1 AND reason = 'sweep'`,
          [agent.id],
        );
      expect(sweeps).toBe(1);
      const offline = await dashboard.waitFor(
        'agent_update',
        (envelope) =>
          envelope.data.event === 'status_changed' &&
          envelope.data.agent.id === agent.id &&
          envelope.data.agent.status === 'offline',
      );
      expect(offline.data).toMatchObject({
        previous_status: 'active',
        agent: { is_active: false },
      });

      const back = await agentSocket.ack('agent_heartbeat', { status: 'idle' });
      expect(back).toMatchObject({ ok: true, status: 'idle' });
      await dashboard.waitFor(
        'agent_update',
        (envelope) =>
          envelope.data.event === 'status_changed' &&
          envelope.data.agent.id === agent.id &&
          envelope.data.previous_status === 'offline',
      );
      const metrics = await app
        .http()
        .get(`/api/v2/agents/${agent.id}/metrics?time_range=1h`)
        .set(apiKey(key.key))
        .expect(200);
      expect(metrics.body).toMatchObject({
        agent_id: agent.id,
        time_range: '1h',
        tasks_completed: 0,
        tasks_failed: 0,
        success_rate: 0,
        task_duration: { avg: null, p50: null, p95: null },
        throughput_per_hour: 0,
        error_count: 0,
      });
      // idle (created) → active → offline (≥ 2 s) → idle: uptime strictly between 0 and 100.
      expect(metrics.body.uptime_percentage).toBeGreaterThan(0);
      expect(metrics.body.uptime_percentage).toBeLessThan(100);
      expect(metrics.body.status_changes).toBe(4);
    });

    /** An agent's events after its creation, oldest first (events are appended in order). */
    const eventsAfterCreation = async (agentId: string) =>
      (
        await app.service.app
          .get(DataSource)
          .query<{ event: string }[]>(
            `SELECT data->>'event' AS event FROM events WHERE data::text LIKE '%' || $1 || '%' AND data->>'event' <> 'created' ORDER BY id`,
            [agentId],
          )
      ).map((row) => row.event);

    it('quiet heartbeats arriving together are all written, and none lands on a row that moved', async () => {
      const agents = await Promise.all(Array.from({ length: 12 }, () => createAgent()));
      const beat = (id: string) =>
        app.http().post(`/api/v2/agents/${id}/heartbeat`).set(admin).send({ status: 'idle' });
      const lastHeartbeats = async () =>
        Promise.all(
          agents.map(
            async ({ id }) =>
              (await app.http().get(`/api/v2/agents/${id}`).set(admin).expect(200)).body
                .last_heartbeat as string,
          ),
        );
      // First heartbeats open each agent's uptime window.
      for (const { id } of agents) await beat(id).expect(200);
      const before = await lastHeartbeats();
      await sleep(20);
      const acks = await Promise.all(agents.map(({ id }) => beat(id).expect(200)));
      expect(await lastHeartbeats()).toEqual(acks.map((ack) => ack.body.last_heartbeat));
      (await lastHeartbeats()).forEach((at, i) =>
        expect(Date.parse(at)).toBeGreaterThan(Date.parse(before[i])),
      );

      // A touch decided on a row that has moved since (here: another status) writes nothing,
      // and of two touches of one agent in a statement only the first is written.
      const repository = app.service.app.get(AgentsRepository);
      const [stale, fresh] = agents;
      const readStale = (await repository.findWithRunning([stale.id])).get(stale.id)!.agent;
      await app.http().post(`/api/v2/agents/${stale.id}/stop`).set(admin).send({}).expect(200);
      const readFresh = (await repository.findWithRunning([fresh.id])).get(fresh.id)!.agent;
      const at = new Date();
      expect(
        await repository.touchHeartbeats([
          { agent: readStale, at },
          { agent: readFresh, at },
          { agent: readFresh, at },
        ]),
      ).toEqual([false, true, false]);
      const paused = (await app.http().get(`/api/v2/agents/${stale.id}`).set(admin).expect(200))
        .body;
      expect(paused.status).not.toBe(readStale.status);
      expect(Date.parse(paused.last_heartbeat)).toBeLessThan(at.getTime());

      // A row that moves while the touch waits for its lock is judged on its new version:
      // a new status stops the touch, a change of anything else does not.
      const touchWhileLocked = async (
        change: (manager: EntityManager, agent: AgentEntity) => Promise<void>,
      ) => {
        const read = (await repository.findWithRunning([agents[2].id])).get(agents[2].id)!.agent;
        let touched!: Promise<boolean[]>;
        // The change is made as the service makes one: under the row lock, then saved.
        await app.service.app.get(DataSource).transaction(async (manager) => {
          const { agent } = await app.service.app
            .get(AgentsService)
            .lockWithRunningOrFail(manager, read.id);
          await change(manager, agent);
          await manager.save(agent);
          touched = asAnotherClient(() =>
            repository.touchHeartbeats([{ agent: read, at: new Date() }]),
          );
          await sleep(200);
        });
        return touched;
      };
      expect(
        await touchWhileLocked(async (_manager, agent) => {
          agent.description = 'renamed meanwhile';
        }),
      ).toEqual([true]);
      expect(
        await touchWhileLocked(async (manager, agent) => {
          await repository.transition(manager, agent, 'busy', 'update');
        }),
      ).toEqual([false]);
    });

    it('an unchanged heartbeat writes no event yet reads show its time; a status change writes one', async () => {
      const agent = await createAgent();
      const key = await createApiKey(app.url, 'agent', agent.id);
      const agentSocket = await connect(key.key);
      const events = () => eventsAfterCreation(agent.id);
      const read = () => app.http().get(`/api/v2/agents/${agent.id}`).set(admin).expect(200);

      // The first heartbeat opens the agent's heartbeat record; read it into the cache.
      expect(await agentSocket.ack('agent_heartbeat', { status: 'idle' })).toMatchObject({
        ok: true,
        status: 'idle',
      });
      const fresh = await read();
      expect(fresh.body.last_heartbeat).not.toBeNull();
      expect((await read()).headers['x-cache']).toBe('HIT');

      for (let i = 0; i < 3; i++)
        expect(await agentSocket.ack('agent_heartbeat', { status: 'idle' })).toMatchObject({
          ok: true,
          status: 'idle',
        });
      await app
        .http()
        .post(`/api/v2/agents/${agent.id}/heartbeat`)
        .set(apiKey(key.key))
        .send({ status: 'idle' })
        .expect(200);
      // Read your own writes: the cached read is dropped, so last_heartbeat is the new one.
      const later = await read();
      expect(later.headers['x-cache']).toBe('MISS');
      expect(Date.parse(later.body.last_heartbeat)).toBeGreaterThan(
        Date.parse(fresh.body.last_heartbeat),
      );

      expect(await agentSocket.ack('agent_heartbeat', { status: 'active' })).toMatchObject({
        ok: true,
        status: 'active',
      });
      const changed = await read();
      expect(changed.headers['x-cache']).toBe('MISS');
      expect(changed.body.status).toBe('active');
      // Only the change is in the history: nothing from the unchanged heartbeats before it.
      expect(await pollUntil(events, (seen) => seen.length > 0)).toEqual(['status_changed']);
    });

    it('the same figures again are not news (fresher reported time only); new figures are', async () => {
      const agent = await createAgent();
      const agentSocket = await connect((await createApiKey(app.url, 'agent', agent.id)).key);
      const beat = (tasks_completed: number) =>
        agentSocket.ack('agent_heartbeat', { status: 'idle', metrics: { tasks_completed } });
      const figures = async () =>
        (await app.http().get(`/api/v1/agents/${agent.id}`).set(admin).expect(200)).body
          .performance_metrics;
      const reported = async () => (await figures()).reported_tasks_completed;

      expect(await beat(3)).toMatchObject({ ok: true, status: 'idle' });
      await pollUntil(
        () => eventsAfterCreation(agent.id),
        (seen) => seen.length === 1,
      );
      const firstReportedAt = (await figures()).reported_at;
      // The repeats take the unlocked path: one guarded UPDATE each, which matches the row.
      const touches = vi.spyOn(app.service.app.get(AgentsRepository), 'touchHeartbeats');
      try {
        for (let i = 0; i < 3; i++) expect(await beat(3)).toMatchObject({ ok: true });
        expect(touches).toHaveBeenCalledTimes(3);
        for (const result of touches.mock.results) expect(await result.value).toEqual([true]);
      } finally {
        touches.mockRestore();
      }
      expect(await reported()).toBe(3);
      expect(Date.parse((await figures()).reported_at)).toBeGreaterThan(
        Date.parse(firstReportedAt),
      );
      expect(await beat(4)).toMatchObject({ ok: true, status: 'idle' });
      expect(await reported()).toBe(4);
      // One event for the first figures and one for the change; none for the repeats.
      expect(
        await pollUntil(
          () => eventsAfterCreation(agent.id),
          (seen) => seen.length >= 2,
        ),
      ).toEqual(['updated', 'updated']);
    });

    it('an agent-bound key is refused on another agent’s resources (403)', async () => {
      const mine = await createAgent();
      const theirs = await createAgent();
      const key = (await createApiKey(app.url, 'agent', mine.id)).key;
      const as = apiKey(key);
      await app
        .http()
        .post(`/api/v2/agents/${mine.id}/heartbeat`)
        .set(as)
        .send({ status: 'idle' })
        .expect(200);
      await app
        .http()
        .post(`/api/v1/agents/${mine.id}/heartbeat`)
        .set(as)
        .send({ status: 'idle' })
        .expect(200);
      await app
        .http()
        .post(`/api/v2/agents/${mine.id}/logs`)
        .set(as)
        .send({ logs: [{ level: 'INFO', message: 'hello' }] })
        .expect(201);
      await app
        .http()
        .post(`/api/v2/agents/${theirs.id}/heartbeat`)
        .set(as)
        .send({ status: 'idle' })
        .expect(403);
      await app
        .http()
        .post(`/api/v1/agents/${theirs.id}/heartbeat`)
        .set(as)
        .send({ status: 'idle' })
        .expect(403);
      await app
        .http()
        .post(`/api/v2/agents/${theirs.id}/logs`)
        .set(as)
        .send({ logs: [{ level: 'INFO', message: 'spoof' }] })
        .expect(403);
      // Reading is allowed; changing anything else is not.
      await app.http().get(`/api/v2/agents/${theirs.id}`).set(as).expect(200);
      await app.http().get('/api/v1/agents').set(as).expect(200);
      await app.http().put(`/api/v2/agents/${mine.id}`).set(as).send({ tags: [] }).expect(403);
      await app.http().post(`/api/v2/agents/${mine.id}/start`).set(as).send({}).expect(403);
      await app.http().delete(`/api/v2/agents/${mine.id}`).set(as).expect(403);

      // Over the socket the key speaks only for its own agent; others cannot heartbeat at all.
      const viewerSocket = await connect(viewerKey);
      const refused = await viewerSocket.ack('agent_heartbeat', { status: 'idle' });
      expect(refused).toMatchObject({ ok: false, error: { status_code: 403 } });
    });

    it('deleting an agent revokes its agent keys', async () => {
      const agent = await createAgent();
      const key = (await createApiKey(app.url, 'agent', agent.id)).key;
      await app.http().get('/api/v2/agents').set(apiKey(key)).expect(200);
      await app.http().delete(`/api/v2/agents/${agent.id}`).set(admin).expect(204);
      await sleep(100);
      await app.http().get('/api/v2/agents').set(apiKey(key)).expect(401);
    });

    it('finds available agents least busy first (fresh heartbeat, working status, capacity)', async () => {
      const type = `dispatch-${Date.now()}`;
      const fresh = await createAgent({ agent_type: type, capabilities: ['go', 'sql'] });
      const silent = await createAgent({ agent_type: type, capabilities: ['go', 'sql'] });
      const stopped = await createAgent({ agent_type: type, capabilities: ['go', 'sql'] });
      const narrow = await createAgent({ agent_type: type, capabilities: ['go'] });
      for (const agent of [fresh, stopped, narrow])
        await app
          .http()
          .post(`/api/v2/agents/${agent.id}/heartbeat`)
          .set(admin)
          .send({ status: 'idle' })
          .expect(200);
      await app.http().post(`/api/v2/agents/${stopped.id}/stop`).set(admin).send({}).expect(200);
      const service = app.service.app.get(AgentsService);
      const found = await service.findAvailableAgents({ agentType: type, capabilities: ['sql'] });
      expect(found.map((s) => s.agent.id)).toEqual([fresh.id]);
      const any = await service.findAvailableAgents({ agentType: type });
      expect(any.map((s) => s.agent.id).sort()).toEqual([fresh.id, narrow.id].sort());
      expect(silent.id).toBeDefined();
    });

    it('registers its job types and the 15 s heartbeat schedule', () => {
      const catalog = app.service.app.get(JobCatalog);
      expect(catalog.get('agents.process_configuration')).toBeDefined();
      expect(catalog.get('agents.check_heartbeats')).toBeDefined();
      expect(catalog.scheduled()).toContainEqual({
        name: 'agents.check_heartbeats',
        everyMs: 15_000,
      });
    });
  });

  describe('configuration upload', () => {
    const yaml = [
      'model: claude-3-opus',
      'tools: [read, write]',
      'capabilities:',
      '  - review',
      'temperature: 0.3',
      'max_tokens: 8000',
      'environment_vars:',
      '  REGION: eu',
    ].join('\n');

    it('applies a valid file and announces configuration_updated', async () => {
      const agent = await createAgent({ configuration: { stale: true } });
      const dashboard = await connect(viewerKey, ['agents']);
      const response = await app
        .http()
        .post(`/api/v2/agents/${agent.id}/configuration/upload`)
        .set(admin)
        .attach('file', Buffer.from(yaml), 'agent.yaml')
        .expect(202);
      expect(response.body).toMatchObject({
        agent_id: agent.id,
        filename: 'agent.yaml',
        job_id: expect.any(String),
        configuration: { model: 'claude-3-opus', temperature: 0.3 },
      });
      // The agents.process_configuration job applies it and the agent announces it.
      const event = await dashboard.waitFor(
        'agent_update',
        (envelope) =>
          envelope.data.event === 'configuration_updated' && envelope.data.agent.id === agent.id,
      );
      expect(event.data.agent).toMatchObject({
        model: 'claude-3-opus',
        tools: ['read', 'write'],
        capabilities: ['review'],
        // Events carry environment variables masked; admins read them over REST.
        configuration: { temperature: 0.3, max_tokens: 8000, environment_vars: { REGION: '***' } },
      });
      expect(event.data.agent.configuration).not.toHaveProperty('stale');
      const read = await app.http().get(`/api/v2/agents/${agent.id}`).set(admin).expect(200);
      expect(read.body.configuration.environment_vars).toEqual({ REGION: 'eu' });
      const job = await app
        .http()
        .get(`/api/v2/background-tasks/${response.body.job_id}`)
        .set(admin)
        .expect(200);
      expect(job.body).toMatchObject({
        task_name: 'agents.process_configuration',
        parameters: { agent_id: agent.id },
      });

      const json = await app
        .http()
        .post(`/api/v2/agents/${agent.id}/configuration/upload`)
        .set(admin)
        .attach('file', Buffer.from(JSON.stringify({ model: 'm2', timeout: 60 })), 'c.JSON')
        .expect(202);
      const second = await dashboard.waitFor(
        'agent_update',
        (envelope) =>
          envelope.data.event === 'configuration_updated' && envelope.data.agent.model === 'm2',
      );
      expect(second.data.agent).toMatchObject({
        model: 'm2',
        tools: [],
        configuration: { timeout: 60 },
      });
      expect(json.body.job_id).toEqual(expect.any(String));
    });

    it('refuses oversize (413), other types (415), bad syntax and schema (400 with lines), no file, unknown agent', async () => {
      const agent = await createAgent();
      const url = `/api/v2/agents/${agent.id}/configuration/upload`;
      const big = Buffer.alloc(1024 * 1024 + 1, 'a');
      await app.http().post(url).set(admin).attach('file', big, 'big.json').expect(413);
      const txt = await app
        .http()
        .post(url)
        .set(admin)
        .attach('file', Buffer.from('model: x'), 'c.txt')
        .expect(415);
      expect(txt.body.status_code).toBe(415);

      const syntax = await app
        .http()
        .post(url)
        .set(admin)
        .attach('file', Buffer.from('model: x\ntools: [read\nother: 1\n'), 'c.yaml')
        .expect(400);
      expect(syntax.body.details[0]).toMatchObject({ field: 'file', line: expect.any(Number) });

      const jsonSyntax = await app
        .http()
        .post(url)
        .set(admin)
        .attach('file', Buffer.from('{\n  "model": "x",\n  "tools": [,]\n}'), 'c.json')
        .expect(400);
      expect(jsonSyntax.body.details[0]).toMatchObject({ field: 'file', line: 3 });

      const schema = await app
        .http()
        .post(url)
        .set(admin)
        .attach(
          'file',
          Buffer.from('model: x\ntemperature: 5\nmax_tokens: 0\nsecret: 1\n'),
          'c.yml',
        )
        .expect(400);
      expect(schema.body.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'file.temperature', line: 2 }),
          expect.objectContaining({ field: 'file.max_tokens', line: 3 }),
          expect.objectContaining({ field: 'file.secret', line: 4 }),
        ]),
      );
      const missing = await app.http().post(url).set(admin).field('note', 'no file').expect(400);
      expect(missing.body.status_code).toBe(400);
      await app
        .http()
        .post(`/api/v2/agents/${UNKNOWN}/configuration/upload`)
        .set(admin)
        .attach('file', Buffer.from(yaml), 'agent.yaml')
        .expect(404);
      const unchanged = await app.http().get(`/api/v2/agents/${agent.id}`).set(admin).expect(200);
      expect(unchanged.body.model).toBe('claude-3-sonnet');
    });
  });

  describe('logs', () => {
    const postLogs = (agentId: string, logs: unknown[], status = 201) =>
      app.http().post(`/api/v2/agents/${agentId}/logs`).set(admin).send({ logs }).expect(status);

    it('ingests 10,000 lines in batches; level, time and text queries return exactly the matches', async () => {
      const agent = await createAgent();
      const levels = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
      const base = Date.parse('2026-03-01T00:00:00Z');
      const lines = Array.from({ length: 10_000 }, (_, i) => ({
        timestamp: new Date(base + i * 1000).toISOString(),
        level: levels[i % 5],
        message: i % 100 === 7 ? `needle ${i} found` : `line ${i}`,
        ...(i % 2 ? { details: { i } } : {}),
      }));
      for (let start = 0; start < lines.length; start += 1000) {
        const response = await postLogs(agent.id, lines.slice(start, start + 1000));
        expect(response.body).toEqual({ agent_id: agent.id, accepted: 1000 });
      }
      const get = (query: Record<string, unknown>) =>
        app.http().get(`/api/v2/agents/${agent.id}/logs`).query(query).set(admin).expect(200);

      expect((await get({ limit: 1 })).body.meta.total).toBe(10_000);
      expect((await get({ level: 'ERROR', limit: 1 })).body.meta.total).toBe(4_000);
      expect((await get({ level: 'warning', limit: 1 })).body.meta.total).toBe(6_000);
      expect((await get({ level: 'CRITICAL', limit: 1 })).body.meta.total).toBe(2_000);

      const since = new Date(base + 100 * 1000).toISOString();
      const until = new Date(base + 200 * 1000).toISOString();
      const window = await get({ since, until, limit: 1000, sort_order: 'asc' });
      expect(window.body.meta.total).toBe(100);
      expect(window.body.data[0]).toMatchObject({
        message: 'line 100',
        level: 'DEBUG',
        timestamp: since,
      });
      expect(window.body.data[99].message).toBe('line 199');

      const needles = await get({ search: 'NEEDLE', limit: 1000 });
      expect(needles.body.meta.total).toBe(100);
      expect(
        needles.body.data.every((l: { message: string }) => l.message.startsWith('needle')),
      ).toBe(true);
      // i % 100 === 7 and i % 5 === 2 (WARNING): every needle is a WARNING.
      expect((await get({ search: 'needle', level: 'ERROR', limit: 1 })).body.meta.total).toBe(0);
      const combined = await get({ search: 'needle', level: 'WARNING', since, until });
      expect(combined.body.data.map((l: { message: string }) => l.message)).toEqual([
        'needle 107 found',
      ]);

      const page = await get({ skip: 9_990, limit: 50, sort_order: 'desc' });
      expect(page.body.data).toHaveLength(10);
      expect(page.body.data[9].message).toBe('line 0');
      expect(page.headers['x-total-count']).toBe('10000');

      await app.http().get(`/api/v2/agents/${agent.id}/logs?level=LOUD`).set(admin).expect(400);
      await app
        .http()
        .get(`/api/v2/agents/${agent.id}/logs?sort_by=message`)
        .set(admin)
        .expect(400);
      await app
        .http()
        .get(`/api/v2/agents/${agent.id}/logs`)
        .query({ since: until, until: since })
        .set(admin)
        .expect(400);
      await postLogs(agent.id, lines.slice(0, 1001), 400);
      await postLogs(agent.id, [{ level: 'INFO' }], 400);
      await app.http().get(`/api/v2/agents/${UNKNOWN}/logs`).set(admin).expect(404);
      const unknown = await postLogs(UNKNOWN, [{ level: 'INFO', message: 'to nobody' }], 404);
      expect(unknown.body.message).toContain(UNKNOWN);
    });

    it('keeps each line’s own time, details and task, and gives a line without a time the time of receipt', async () => {
      const agent = await createAgent();
      const task = '00000000-0000-4000-8000-00000000000a';
      const before = Date.now();
      await postLogs(agent.id, [
        { level: 'info', message: 'plain' },
        { level: 'WARNING', message: 'timed', timestamp: '2026-03-01T12:00:00+02:00' },
        { level: 'ERROR', message: 'detailed', details: { step: 'build', n: [1, 2] } },
        { level: 'DEBUG', message: 'tasked', task_id: task },
      ]);
      const after = Date.now();
      const { body } = await app
        .http()
        .get(`/api/v2/agents/${agent.id}/logs?sort_order=asc`)
        .set(admin)
        .expect(200);
      const byMessage = Object.fromEntries(
        body.data.map((line: { message: string }) => [line.message, line]),
      );
      expect(byMessage.timed).toMatchObject({
        level: 'WARNING',
        timestamp: '2026-03-01T10:00:00.000Z',
        details: null,
        task_id: null,
      });
      expect(byMessage.detailed).toMatchObject({
        level: 'ERROR',
        details: { step: 'build', n: [1, 2] },
        task_id: null,
      });
      expect(byMessage.tasked).toMatchObject({ details: null, task_id: task });
      for (const message of ['plain', 'detailed', 'tasked']) {
        const received = Date.parse(byMessage[message].timestamp);
        expect(received).toBeGreaterThanOrEqual(before);
        expect(received).toBeLessThanOrEqual(after);
      }
      expect(byMessage.plain).toMatchObject({ level: 'INFO', details: null, task_id: null });

      // A batch of plain lines only: none has a time, details or a task.
      const plain = await postLogs(
        agent.id,
        [1, 2, 3].map((n) => ({ level: 'DEBUG', message: `only ${n}` })),
      );
      expect(plain.body.accepted).toBe(3);
      const only = await app
        .http()
        .get(`/api/v2/agents/${agent.id}/logs?search=only&sort_order=asc`)
        .set(admin)
        .expect(200);
      expect(only.body.data.map((line: { message: string }) => line.message)).toEqual([
        'only 1',
        'only 2',
        'only 3',
      ]);
      for (const line of only.body.data) {
        expect(line).toMatchObject({ details: null, task_id: null });
        expect(Date.parse(line.timestamp)).toBeGreaterThanOrEqual(after);
      }

      // ISO 8601 forms JavaScript cannot read (week and ordinal dates) are a 400, not a 500.
      for (const timestamp of ['2026-W09-1', '2026-060']) {
        const refused = await postLogs(
          agent.id,
          [{ level: 'INFO', message: 'when?', timestamp }],
          400,
        );
        expect(refused.body.details).toEqual([
          { field: 'logs.0.timestamp', message: expect.stringContaining('ISO 8601') },
        ]);
      }
      await app
        .http()
        .get(`/api/v2/agents/${agent.id}/logs`)
        .query({ since: '2026-W09-1' })
        .set(admin)
        .expect(400);
    });

    it('retention removes lines older than the given days', async () => {
      const agent = await createAgent();
      const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
      await postLogs(agent.id, [
        { level: 'ERROR', message: 'old', timestamp: old },
        { level: 'ERROR', message: 'new' },
      ]);
      const metrics = await app
        .http()
        .get(`/api/v2/agents/${agent.id}/metrics?time_range=7d`)
        .set(admin)
        .expect(200);
      expect(metrics.body.error_count).toBe(1);
      await app
        .http()
        .get(`/api/v2/agents/${agent.id}/metrics?time_range=2d`)
        .set(admin)
        .expect(400);
      const deleted = await app.service.app.get(AgentLogsService).deleteLogsOlderThan(7);
      expect(deleted).toBeGreaterThanOrEqual(1);
      const left = await app.http().get(`/api/v2/agents/${agent.id}/logs`).set(admin).expect(200);
      expect(left.body.data.map((l: { message: string }) => l.message)).toEqual(['new']);
    });
  });

  it('JWT users follow the roles: viewers read, operators write', async () => {
    const viewer = await createUser(app.url, 'viewer');
    const operator = await createUser(app.url, 'operator');
    await app.http().get('/api/v2/agents').set(bearer(viewer.token)).expect(200);
    await app
      .http()
      .post('/api/v2/agents')
      .set(bearer(viewer.token))
      .send({ name: 'nope', agent_type: 'x' })
      .expect(403);
    await app
      .http()
      .post('/api/v2/agents')
      .set(bearer(operator.token))
      .send({ name: 'yes', agent_type: 'x' })
      .expect(201);
    await app.http().get('/api/v2/agents').expect(401);
  });
});
