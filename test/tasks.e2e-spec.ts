import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TasksRepository } from '../src/tasks/tasks.repository.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, createApiKey } from './support/identities.js';
import { connectSocket, TestSocket } from './support/socket.js';
import { sleep } from './support/poll.js';

const admin = apiKey(TEST_ADMIN_KEY);
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('tasks', () => {
  let stores: TestStores;
  let app: TestApp;
  let viewerKey: string;
  let db: pg.Client;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
    viewerKey = (await createApiKey(app.url, 'viewer')).key;
    db = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await db?.end();
    await app?.close();
    await stores?.drop();
  });

  async function connect(token: string, rooms?: string[]) {
    const socket = await connectSocket(app.url, { token, rooms });
    sockets.push(socket);
    return socket;
  }

  async function createTask(body: Record<string, unknown> = {}) {
    const response = await app
      .http()
      .post('/api/v2/tasks')
      .set(admin)
      .send({ title: `task ${Math.random().toString(36).slice(2, 8)}`, ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  }

  async function createAgent(body: Record<string, unknown> = {}) {
    const response = await app
      .http()
      .post('/api/v2/agents')
      .set(admin)
      .send({
        name: `agent-${Math.random().toString(36).slice(2, 10)}`,
        agent_type: 'worker',
        ...body,
      })
      .expect(201);
    return response.body;
  }

  const act = (id: string, action: string, body: Record<string, unknown> = {}, auth = admin) =>
    app.http().post(`/api/v2/tasks/${id}/${action}`).set(auth).send(body);

  const v1Status = (id: string, status: string, body: Record<string, unknown> = {}) =>
    app
      .http()
      .patch(`/api/v1/tasks/${id}/status`)
      .set(admin)
      .send({ status, ...body });

  const getTask = async (id: string) =>
    (await app.http().get(`/api/v2/tasks/${id}`).set(admin).expect(200)).body;

  it('deletes many tasks of an agent at once', async () => {
    const agent = await createAgent();
    const tasks = await Promise.all(
      Array.from({ length: 24 }, () => createTask({ assigned_agent_id: agent.id })),
    );
    // More than the connection pool (10): each delete reads the task's last state in its
    // own transaction, never on a second connection.
    const answers = await Promise.all(
      tasks.map((task) => app.http().delete(`/api/v2/tasks/${task.id}`).set(admin)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 204));
  });

  describe('registry', () => {
    it('creates, reads, updates, lists and deletes in the contract shapes', async () => {
      const watcher = await connect(viewerKey, ['tasks']);
      const agent = await createAgent();
      const workflowId = '22222222-2222-4222-8222-222222222222';
      const runId = '33333333-3333-4333-8333-333333333333';
      const created = await createTask({
        title: 'Write docs',
        description: 'All of them',
        priority: 'high',
        task_type: 'docs',
        tags: ['writing'],
        metadata: { ticket: 7 },
        assigned_agent_id: agent.id,
        workflow_id: workflowId,
        run_id: runId,
        estimated_duration_minutes: 30,
        complexity_score: 3,
        effort_points: 5,
        due_date: '2030-01-01T00:00:00.000Z',
        is_urgent: true,
      });
      expect(created).toMatchObject({
        title: 'Write docs',
        status: 'pending',
        priority: 'high',
        assigned_agent: { id: agent.id, name: agent.name },
        workflow_id: workflowId,
        run_id: runId,
        attempt: 1,
        time_tracking: { estimated_duration_minutes: 30, started_at: null, completed_at: null },
        dependencies: [],
        dependents: [],
        progress: { percentage: 0, subtasks_completed: 0, subtasks_total: 0 },
        quality_metrics: { quality_score: null, complexity_score: 3, effort_points: 5 },
        flags: { is_blocked: false, is_urgent: true, requires_review: false },
        result: null,
        error: null,
        due_date: '2030-01-01T00:00:00.000Z',
      });
      const announced = await watcher.waitFor(
        'task_update',
        (e) => e.data.event === 'created' && e.data.task.id === created.id,
      );
      expect(announced.data.task).toEqual(created);

      const v1 = await app.http().get(`/api/v1/tasks/${created.id}`).set(admin).expect(200);
      expect(v1.body.assigned_agent).toEqual({ id: agent.id, name: agent.name });
      expect(v1.body).not.toHaveProperty('run_id');

      const updated = await app
        .http()
        .put(`/api/v2/tasks/${created.id}`)
        .set(admin)
        .send({ title: 'Write all docs', tags: ['writing', 'urgent'], assigned_agent_id: null })
        .expect(200);
      expect(updated.body).toMatchObject({ title: 'Write all docs', assigned_agent: null });
      const unassigned = await app.http().get(`/api/v1/tasks/${created.id}`).set(admin).expect(200);
      expect(unassigned.body.assigned_agent).toEqual({ id: null, name: null });

      const byRun = await app.http().get(`/api/v2/tasks?run_id=${runId}`).set(admin).expect(200);
      expect(byRun.body.data.map((t: { id: string }) => t.id)).toEqual([created.id]);
      const search = await app.http().get('/api/v2/tasks?search=ALL%20DOCS').set(admin).expect(200);
      expect(search.body.meta.total).toBe(1);
      const v1List = await app
        .http()
        .get(`/api/v1/tasks?workflow_id=${workflowId}`)
        .set(admin)
        .expect(200);
      expect(Array.isArray(v1List.body)).toBe(true);
      expect(v1List.body).toHaveLength(1);

      await app.http().delete(`/api/v2/tasks/${created.id}`).set(admin).expect(204);
      await app.http().get(`/api/v2/tasks/${created.id}`).set(admin).expect(404);
    });

    it('answers bad input with 400 and unknown ids with 404', async () => {
      await app.http().get(`/api/v2/tasks/${UNKNOWN}`).set(admin).expect(404);
      await app.http().get('/api/v2/tasks/nope').set(admin).expect(400);
      await app.http().get('/api/v2/tasks?sort_by=secret').set(admin).expect(400);
      await app.http().get('/api/v2/tasks?status=done').set(admin).expect(400);
      await app.http().get('/api/v2/tasks?ready=perhaps').set(admin).expect(400);
      await app.http().post('/api/v2/tasks').set(admin).send({}).expect(400);
      await app
        .http()
        .post('/api/v2/tasks')
        .set(admin)
        .send({ title: 'x', priority: 'urgent' })
        .expect(400);
      await app
        .http()
        .post('/api/v2/tasks')
        .set(admin)
        .send({ title: 'x', status: 'completed' })
        .expect(400);
      await app
        .http()
        .post('/api/v1/tasks')
        .set(admin)
        .send({ title: 'x', status: 'completed' })
        .expect(400);
      const agent = await app
        .http()
        .post('/api/v2/tasks')
        .set(admin)
        .send({ title: 'x', assigned_agent_id: UNKNOWN })
        .expect(400);
      expect(agent.body.details[0].field).toBe('assigned_agent_id');
      const dep = await app
        .http()
        .post('/api/v2/tasks')
        .set(admin)
        .send({ title: 'x', dependencies: [UNKNOWN] })
        .expect(400);
      expect(dep.body.details[0]).toMatchObject({ field: 'dependencies.0' });
      await app.http().put(`/api/v2/tasks/${UNKNOWN}`).set(admin).send({ title: 'y' }).expect(404);
      const existing = await createTask();
      for (const field of ['title', 'priority', 'tags', 'is_urgent'])
        await app
          .http()
          .put(`/api/v2/tasks/${existing.id}`)
          .set(admin)
          .send({ [field]: null })
          .expect(400);
      await app
        .http()
        .put(`/api/v1/tasks/${existing.id}`)
        .set(admin)
        .send({ status: null })
        .expect(400);
      // Nullable fields may be cleared.
      await app
        .http()
        .put(`/api/v2/tasks/${existing.id}`)
        .set(admin)
        .send({ description: null, due_date: null, task_type: null })
        .expect(200);
      await act(existing.id, 'start', { attempt: null }).expect(400);
      await act(UNKNOWN, 'start').expect(404);
    });

    it('sorts by priority by importance, and filters ready tasks', async () => {
      const tag = `prio-${Date.now()}`;
      const low = await createTask({ priority: 'low', tags: [tag] });
      const critical = await createTask({ priority: 'critical', tags: [tag] });
      const medium = await createTask({ priority: 'medium', tags: [tag], dependencies: [low.id] });
      const sorted = await app
        .http()
        .get('/api/v2/tasks')
        .query({ tags: tag, sort_by: 'priority', sort_order: 'desc' })
        .set(admin)
        .expect(200);
      expect(sorted.body.data.map((t: { id: string }) => t.id)).toEqual([
        critical.id,
        medium.id,
        low.id,
      ]);
      const ready = await app
        .http()
        .get('/api/v2/tasks')
        .query({ tags: tag, ready: 'true' })
        .set(admin)
        .expect(200);
      expect(ready.body.data.map((t: { id: string }) => t.id).sort()).toEqual(
        [low.id, critical.id].sort(),
      );
      const notReady = await app
        .http()
        .get('/api/v2/tasks')
        .query({ tags: tag, ready: 'false' })
        .set(admin)
        .expect(200);
      expect(notReady.body.data.map((t: { id: string }) => t.id)).toEqual([medium.id]);
    });
  });

  describe('the dependency graph', () => {
    it('tells the tasks a batch inserted that another writer changed or deleted since from those it did not', async () => {
      // A run's new tasks are announced as their insert answered them, unless changed since.
      const repository = app.service.app.get(TasksRepository);
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const written = await app.service.app.get(DataSource).transaction((manager) =>
        repository.insertMany(
          manager,
          ids.map((id) => ({
            id,
            title: 'written',
            description: null,
            status: 'pending',
            priority: 'medium',
            taskType: null,
            metadata: {},
            estimatedDurationMinutes: null,
            workflowId: null,
            runId: null,
            stepKey: null,
            assignedAgentId: null,
            startedAt: null,
            completedAt: null,
            error: null,
          })),
        ),
      );
      expect(written.map(({ task }) => task.id)).toEqual(ids);
      const versions = written.map(({ task, version }) => ({ id: task.id, version }));
      expect(await repository.changedSince(versions)).toEqual(new Set());
      await app
        .http()
        .put(`/api/v2/tasks/${ids[1]}`)
        .set(admin)
        .send({ title: 'moved' })
        .expect(200);
      expect(await repository.changedSince(versions)).toEqual(new Set([ids[1]]));
      await app.http().delete(`/api/v2/tasks/${ids[2]}`).set(admin).expect(204);
      expect(await repository.changedSince(versions)).toEqual(new Set([ids[1], ids[2]]));
    });

    it('refuses a cycle with 409 naming it, and a self-dependency', async () => {
      const a = await createTask();
      const b = await createTask({ dependencies: [a.id] });
      const c = await createTask({ dependencies: [b.id] });
      const cycle = await app
        .http()
        .post(`/api/v2/tasks/${a.id}/dependencies`)
        .set(admin)
        .send({ dependency_id: c.id })
        .expect(409);
      expect(cycle.body.cycle).toEqual([a.id, c.id, b.id, a.id]);
      expect(cycle.body.message).toContain(`${a.id} -> ${c.id} -> ${b.id} -> ${a.id}`);
      const self = await app
        .http()
        .post(`/api/v1/tasks/${a.id}/dependencies`)
        .set(admin)
        .send({ dependency_id: a.id })
        .expect(409);
      expect(self.body.cycle).toEqual([a.id, a.id]);
      const missing = await app
        .http()
        .post(`/api/v2/tasks/${a.id}/dependencies`)
        .set(admin)
        .send({ dependency_id: UNKNOWN })
        .expect(400);
      expect(missing.body.details[0].field).toBe('dependency_id');
      // Nothing was stored by the refused attempts.
      expect((await getTask(a.id)).dependencies).toEqual([]);
      expect((await getTask(a.id)).dependents).toEqual([b.id]);
    });

    it('two concurrent edges that together close a cycle: exactly one is stored', async () => {
      const a = await createTask();
      const b = await createTask();
      const [ab, ba] = await Promise.all([
        app
          .http()
          .post(`/api/v2/tasks/${a.id}/dependencies`)
          .set(admin)
          .send({ dependency_id: b.id }),
        app
          .http()
          .post(`/api/v2/tasks/${b.id}/dependencies`)
          .set(admin)
          .send({ dependency_id: a.id }),
      ]);
      expect([ab.status, ba.status].sort()).toEqual([200, 409]);
      const refused = ab.status === 409 ? ab : ba;
      expect(refused.body.cycle).toHaveLength(3);
    });

    it('start with an unmet dependency is 409 naming the blockers', async () => {
      const a = await createTask({ title: 'first' });
      const b = await createTask({ title: 'second' });
      const c = await createTask({ dependencies: [a.id, b.id] });
      await act(a.id, 'start').expect(200);
      await act(a.id, 'complete').expect(200);
      const refused = await act(c.id, 'start').expect(409);
      expect(refused.body.blockers).toEqual([{ id: b.id, title: 'second', status: 'pending' }]);
      expect(refused.body.message).toContain('not completed');
      const v1 = await v1Status(c.id, 'in_progress').expect(409);
      expect(v1.body.blockers).toHaveLength(1);
      expect((await getTask(c.id)).status).toBe('pending');

      const why = await app.http().get(`/api/v2/tasks/${c.id}/dependencies`).set(admin).expect(200);
      expect(why.body).toMatchObject({
        task_id: c.id,
        status: 'pending',
        is_ready: false,
        blockers: [b.id],
        blocked_by: [],
      });
      expect(why.body.upstream).toEqual(
        expect.arrayContaining([
          { id: a.id, title: 'first', status: 'completed', satisfied: true },
          { id: b.id, title: 'second', status: 'pending', satisfied: false },
        ]),
      );
      const down = await app
        .http()
        .get(`/api/v2/tasks/${a.id}/dependencies`)
        .set(admin)
        .expect(200);
      expect(down.body.downstream).toEqual([{ id: c.id, title: c.title, status: 'pending' }]);
    });

    it('a failed dependency blocks its dependents, a retry releases them, completion announces ready', async () => {
      const watcher = await connect(viewerKey, ['tasks']);
      const a = await createTask();
      const b = await createTask();
      const child = await createTask({ dependencies: [a.id, b.id] });
      const grandchild = await createTask({ dependencies: [child.id] });

      await act(a.id, 'start').expect(200);
      await act(a.id, 'fail', { error: 'broke', retryable: true }).expect(200);
      const blocked = await getTask(child.id);
      expect(blocked).toMatchObject({ status: 'blocked', flags: { is_blocked: true } });
      expect((await getTask(grandchild.id)).status).toBe('pending');
      const blockedEvent = await watcher.waitFor(
        'task_update',
        (e) => e.data.event === 'blocked' && e.data.task.id === child.id,
      );
      expect(blockedEvent.data.blocked_by).toEqual([a.id]);
      const why = await app
        .http()
        .get(`/api/v2/tasks/${child.id}/dependencies`)
        .set(admin)
        .expect(200);
      expect(why.body.blocked_by).toEqual([a.id]);
      await act(child.id, 'start').expect(409);

      // A second failing dependency: the retry of the first alone does not release.
      await act(b.id, 'start').expect(200);
      await act(b.id, 'cancel').expect(200);
      await act(a.id, 'retry').expect(200);
      expect((await getTask(child.id)).status).toBe('blocked');
      await act(b.id, 'retry').expect(200);
      expect((await getTask(child.id)).status).toBe('pending');
      await watcher.waitFor(
        'task_update',
        (e) =>
          e.data.event === 'status_changed' &&
          e.data.task.id === child.id &&
          e.data.previous_status === 'blocked',
      );

      for (const dep of [a, b]) {
        await act(dep.id, 'start').expect(200);
        await act(dep.id, 'complete').expect(200);
      }
      const ready = await watcher.waitFor(
        'task_update',
        (e) => e.data.event === 'ready' && e.data.task.id === child.id,
      );
      expect(ready.data.task.status).toBe('pending');
      // An event carries the task as a read answers it: its links included.
      expect(ready.data.task).toEqual(await getTask(child.id));
      expect(ready.data.task).toMatchObject({ dependents: [grandchild.id] });
      await sleep(200);
      const readyEvents = watcher
        .events('task_update')
        .filter((e) => e.data.event === 'ready' && e.data.task.id === child.id);
      expect(readyEvents).toHaveLength(1);
      await act(child.id, 'start').expect(200);
    });

    it('a new dependency on a failed task blocks at once; removing it releases', async () => {
      const failed = await createTask();
      await act(failed.id, 'start').expect(200);
      await act(failed.id, 'fail', { error: 'x' }).expect(200);
      const task = await createTask({ dependencies: [failed.id] });
      expect(task.status).toBe('blocked');
      const later = await createTask();
      const added = await app
        .http()
        .post(`/api/v2/tasks/${later.id}/dependencies`)
        .set(admin)
        .send({ dependency_id: failed.id })
        .expect(200);
      expect(added.body).toMatchObject({ status: 'blocked', dependencies: [failed.id] });
      const removed = await app
        .http()
        .delete(`/api/v2/tasks/${later.id}/dependencies/${failed.id}`)
        .set(admin)
        .expect(200);
      expect(removed.body).toMatchObject({ status: 'pending', dependencies: [] });
      await app
        .http()
        .delete(`/api/v2/tasks/${later.id}/dependencies/${failed.id}`)
        .set(admin)
        .expect(404);
      await app
        .http()
        .delete(`/api/v1/tasks/${later.id}/dependencies/${failed.id}`)
        .set(admin)
        .expect(200);
    });

    it('deleting a task with dependents is 409 unless forced, which removes the edges', async () => {
      const base = await createTask();
      const dependent = await createTask({ dependencies: [base.id] });
      const refused = await app.http().delete(`/api/v2/tasks/${base.id}`).set(admin).expect(409);
      expect(refused.body.dependents).toEqual([dependent.id]);
      await app.http().delete(`/api/v2/tasks/${base.id}?force=true`).set(admin).expect(204);
      expect((await getTask(dependent.id)).dependencies).toEqual([]);
      const v1 = await createTask();
      const removed = await app.http().delete(`/api/v1/tasks/${v1.id}`).set(admin).expect(200);
      expect(removed.body).toEqual({ message: 'Task deleted successfully' });
    });
  });

  describe('the state machine', () => {
    /** Brings a fresh task into `status`. */
    async function taskIn(status: string): Promise<string> {
      if (status === 'blocked') {
        const dep = await taskIn('failed');
        return (await createTask({ dependencies: [dep] })).id;
      }
      const { id } = await createTask();
      if (status === 'pending') return id;
      await act(id, 'start').expect(200);
      if (status === 'in_progress') return id;
      if (status === 'completed') await act(id, 'complete').expect(200);
      if (status === 'failed') await act(id, 'fail', { error: 'no' }).expect(200);
      if (status === 'cancelled') await act(id, 'cancel').expect(200);
      return id;
    }

    const rows: [string, string, string][] = [
      ['pending', 'in_progress', 'start'],
      ['pending', 'cancelled', 'cancel'],
      ['blocked', 'cancelled', 'cancel'],
      ['in_progress', 'completed', 'complete'],
      ['in_progress', 'failed', 'fail'],
      ['in_progress', 'cancelled', 'cancel'],
      ['failed', 'pending', 'retry'],
      ['cancelled', 'pending', 'retry'],
    ];

    it.each(rows)('v2: %s -> %s by %s', async (from, to, action) => {
      const id = await taskIn(from);
      const body = action === 'fail' ? { error: 'bad' } : {};
      const response = await act(id, action, body).expect(200);
      expect(response.body.status).toBe(to);
    });

    it.each(rows)('v1 PATCH /status: %s -> %s', async (from, to) => {
      const id = await taskIn(from);
      const response = await v1Status(id, to).expect(200);
      expect(response.body.status).toBe(to);
    });

    it('the automatic rows: pending -> blocked -> pending (v1 and v2 views)', async () => {
      const dep = await taskIn('in_progress');
      const task = await createTask({ dependencies: [dep] });
      await act(dep, 'fail', { error: 'x' }).expect(200);
      expect(
        (await app.http().get(`/api/v1/tasks/${task.id}`).set(admin).expect(200)).body.status,
      ).toBe('blocked');
      await v1Status(dep, 'pending').expect(200);
      expect((await getTask(task.id)).status).toBe('pending');
    });

    it('refuses illegal moves with 409 naming the current state, through v1 and v2', async () => {
      const illegal: [string, string][] = [
        ['pending', 'complete'],
        ['pending', 'fail'],
        ['pending', 'retry'],
        ['in_progress', 'start'],
        ['in_progress', 'retry'],
        ['completed', 'start'],
        ['completed', 'cancel'],
        ['completed', 'retry'],
        ['failed', 'complete'],
        ['cancelled', 'start'],
        ['blocked', 'start'],
        ['blocked', 'retry'],
      ];
      for (const [from, action] of illegal) {
        const id = await taskIn(from);
        const body = action === 'fail' ? { error: 'x' } : {};
        const response = await act(id, action, body);
        expect(response.status, `${action} on ${from}`).toBe(409);
        expect(response.body.current_status).toBe(from);
        expect(response.body.message).toContain(from);
      }
      const v1Illegal: [string, string][] = [
        ['pending', 'completed'],
        ['pending', 'blocked'],
        ['completed', 'in_progress'],
        ['failed', 'completed'],
        ['blocked', 'pending'],
        ['in_progress', 'pending'],
      ];
      for (const [from, to] of v1Illegal) {
        const id = await taskIn(from);
        const response = await v1Status(id, to);
        expect(response.status, `${from} -> ${to}`).toBe(409);
        expect(response.body.message).toContain(from);
      }
      const bad = await v1Status(await taskIn('pending'), 'done').expect(400);
      expect(bad.body.details[0].field).toBe('status');
    });

    it('a repeated complete answers 200 and changes nothing', async () => {
      const id = await taskIn('in_progress');
      const first = await act(id, 'complete', { result: { ok: 1 }, quality_score: 90 }).expect(200);
      const again = await act(id, 'complete', { result: { ok: 2 }, quality_score: 10 }).expect(200);
      expect(again.body).toMatchObject({ status: 'completed', result: { ok: 1 } });
      expect(again.body.quality_metrics.quality_score).toBe(90);
      expect(again.body.updated_at).toBe(first.body.updated_at);
      await v1Status(id, 'completed').expect(200);
    });

    it('concurrent starts of one task: exactly one wins', async () => {
      const id = await taskIn('pending');
      const answers = await Promise.all(Array.from({ length: 8 }, () => act(id, 'start')));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    });

    it('progress, attempts and retries', async () => {
      const id = await taskIn('pending');
      await app
        .http()
        .patch(`/api/v2/tasks/${id}/progress`)
        .set(admin)
        .send({ percentage: 10 })
        .expect(409);
      await act(id, 'start').expect(200);
      const progress = await app
        .http()
        .patch(`/api/v2/tasks/${id}/progress`)
        .set(admin)
        .send({ percentage: 40, message: 'halfway-ish', subtasks_completed: 2, subtasks_total: 5 })
        .expect(200);
      expect(progress.body.progress).toEqual({
        percentage: 40,
        subtasks_completed: 2,
        subtasks_total: 5,
      });
      await app
        .http()
        .patch(`/api/v2/tasks/${id}/progress`)
        .set(admin)
        .send({ percentage: 50, subtasks_completed: 6 })
        .expect(400);
      await app
        .http()
        .patch(`/api/v2/tasks/${id}/progress`)
        .set(admin)
        .send({ percentage: 101 })
        .expect(400);
      await act(id, 'fail', { error: 'timeout', retryable: true, attempt: 1 }).expect(200);
      const retried = await act(id, 'retry').expect(200);
      expect(retried.body).toMatchObject({ status: 'pending', attempt: 2, error: null });
      await act(id, 'start').expect(200);
      const stale = await act(id, 'complete', { attempt: 1 }).expect(409);
      expect(stale.body.current_attempt).toBe(2);
      const v1 = await app
        .http()
        .patch(`/api/v1/tasks/${id}/progress`)
        .set(admin)
        .send({ progress_percentage: 100 })
        .expect(200);
      expect(v1.body).toMatchObject({ status: 'completed', progress: { percentage: 100 } });
      expect(v1.body.time_tracking.completed_at).not.toBeNull();
    });
  });

  describe('agents and their tasks', () => {
    it('an agent key completes its own task over Socket.IO and is refused another agent’s (403)', async () => {
      const mine = await createAgent();
      const theirs = await createAgent();
      const key = (await createApiKey(app.url, 'agent', mine.id)).key;
      const own = await createTask({ assigned_agent_id: mine.id });
      const foreign = await createTask({ assigned_agent_id: theirs.id });
      const socket = await connect(key, [`task:${own.id}`]);

      await act(own.id, 'start', {}, apiKey(key)).expect(200);
      const progress = await socket.ack('task_progress', {
        task_id: own.id,
        percentage: 50,
        message: 'half',
      });
      expect(progress).toEqual({
        ok: true,
        task_id: own.id,
        status: 'in_progress',
        percentage: 50,
      });
      const done = await socket.ack('task_complete', {
        task_id: own.id,
        result: { files: 3 },
        quality_score: 80,
      });
      expect(done).toEqual({ ok: true, task_id: own.id, status: 'completed', attempt: 1 });
      expect(await socket.ack('task_complete', { task_id: own.id })).toMatchObject({ ok: true });
      const completed = await getTask(own.id);
      expect(completed).toMatchObject({ status: 'completed', result: { files: 3 } });
      await socket.waitFor(
        'task_update',
        (e) => e.data.event === 'status_changed' && e.data.task.id === own.id,
      );

      await act(foreign.id, 'start').expect(200);
      const refused = await socket.ack('task_complete', { task_id: foreign.id });
      expect(refused).toMatchObject({ ok: false, error: { status_code: 403 } });
      expect(await socket.ack('task_fail', { task_id: foreign.id, error: 'x' })).toMatchObject({
        ok: false,
        error: { status_code: 403 },
      });
      await act(foreign.id, 'complete', {}, apiKey(key)).expect(403);
      await app
        .http()
        .patch(`/api/v2/tasks/${foreign.id}/progress`)
        .set(apiKey(key))
        .send({ percentage: 5 })
        .expect(403);
      await v1Status(foreign.id, 'completed').set(apiKey(key)).expect(403);
      expect((await getTask(foreign.id)).status).toBe('in_progress');

      // Agent keys may not cancel or retry, nor edit tasks, even their own.
      const another = await createTask({ assigned_agent_id: mine.id });
      await act(another.id, 'cancel', {}, apiKey(key)).expect(403);
      await app
        .http()
        .put(`/api/v2/tasks/${another.id}`)
        .set(apiKey(key))
        .send({ title: 'x' })
        .expect(403);
      await app.http().get(`/api/v2/tasks/${foreign.id}`).set(apiKey(key)).expect(200);
      const bad = await socket.ack('task_fail', { task_id: own.id });
      expect(bad).toMatchObject({ ok: false, error: { status_code: 400 } });
      const viewerSocket = await connect(viewerKey);
      expect(await viewerSocket.ack('task_complete', { task_id: own.id })).toMatchObject({
        ok: false,
        error: { status_code: 403 },
      });
    });

    it('an agent at capacity is busy and idle again below it; its current task follows', async () => {
      const watcher = await connect(viewerKey, ['agents']);
      const agent = await createAgent({ max_concurrent_tasks: 2 });
      const one = await createTask({ title: 'one', assigned_agent_id: agent.id });
      const two = await createTask({ title: 'two', assigned_agent_id: agent.id });
      const agentNow = async () =>
        (await app.http().get(`/api/v2/agents/${agent.id}`).set(admin).expect(200)).body;
      await act(one.id, 'start').expect(200);
      expect(await agentNow()).toMatchObject({
        status: 'idle',
        running_tasks: 1,
        current_task: { id: one.id, title: 'one' },
      });
      await act(two.id, 'start').expect(200);
      const busy = await agentNow();
      expect(busy).toMatchObject({ status: 'busy', running_tasks: 2 });
      const deleting = await app.http().delete(`/api/v2/agents/${agent.id}`).set(admin).expect(409);
      expect(deleting.body.running_tasks).toBe(2);
      await act(two.id, 'complete').expect(200);
      expect(await agentNow()).toMatchObject({ status: 'idle', running_tasks: 1 });
      // The status change's event carries the agent as a read answers it, update time included.
      const freed = await watcher.waitFor(
        'agent_update',
        (e) =>
          e.data.event === 'status_changed' &&
          e.data.agent.id === agent.id &&
          e.data.previous_status === 'busy',
      );
      expect(freed.data.agent).toEqual(await agentNow());
      expect(Date.parse(freed.data.agent.updated_at)).toBeGreaterThan(Date.parse(busy.updated_at));
      await app
        .http()
        .put(`/api/v2/tasks/${one.id}`)
        .set(admin)
        .send({ assigned_agent_id: null })
        .expect(409);
      await act(one.id, 'cancel').expect(200);
      await app.http().delete(`/api/v2/agents/${agent.id}`).set(admin).expect(204);
      const orphan = await getTask(two.id);
      expect(orphan.assigned_agent).toBeNull();
    });

    it('an agent’s metrics after a fixture of completed and failed tasks equal the hand-computed values', async () => {
      const agent = await createAgent();
      const durations = [60, 120, 300];
      const ids: string[] = [];
      for (const seconds of durations) {
        const task = await createTask({ assigned_agent_id: agent.id });
        await act(task.id, 'start').expect(200);
        await act(task.id, 'complete').expect(200);
        ids.push(task.id);
        await db.query(
          `UPDATE tasks SET completed_at = now() - interval '10 minutes',
                            started_at = now() - interval '10 minutes' - make_interval(secs => $2)
            WHERE id = $1`,
          [task.id, seconds],
        );
      }
      for (let i = 0; i < 2; i++) {
        const task = await createTask({ assigned_agent_id: agent.id });
        await act(task.id, 'start').expect(200);
        await act(task.id, 'fail', { error: 'no' }).expect(200);
      }
      // A task finished long ago counts in performance_metrics but not in the last 24 hours.
      const old = await createTask({ assigned_agent_id: agent.id });
      await act(old.id, 'start').expect(200);
      await act(old.id, 'complete').expect(200);
      await db.query(
        `UPDATE tasks SET completed_at = now() - interval '3 days',
                          started_at = now() - interval '3 days' - interval '600 seconds' WHERE id = $1`,
        [old.id],
      );
      // Direct SQL bypasses the API: make the cached agent read fresh with a no-op write.
      await app.http().put(`/api/v2/agents/${agent.id}`).set(admin).send({}).expect(200);

      const metrics = await app
        .http()
        .get(`/api/v2/agents/${agent.id}/metrics?time_range=24h`)
        .set(admin)
        .expect(200);
      expect(metrics.body).toMatchObject({
        tasks_completed: 3,
        tasks_failed: 2,
        success_rate: 60,
        // 60 s, 120 s, 300 s: mean 160 s; median 120 s; p95 = 120 + 0.9 × (300 − 120) = 282 s.
        task_duration: { avg: 160_000, p50: 120_000, p95: 282_000 },
        throughput_per_hour: 0.13,
        error_count: 0,
      });
      const week = await app
        .http()
        .get(`/api/v2/agents/${agent.id}/metrics?time_range=7d`)
        .set(admin)
        .expect(200);
      // 60, 120, 300, 600 s: mean 270 s, median 210 s.
      expect(week.body).toMatchObject({
        tasks_completed: 4,
        task_duration: { avg: 270_000, p50: 210_000 },
      });
      const got = await app.http().get(`/api/v2/agents/${agent.id}`).set(admin).expect(200);
      expect(got.body.performance_metrics).toMatchObject({
        tasks_completed: 4,
        tasks_failed: 2,
        success_rate: 66.67,
        avg_response_time: 270_000,
      });
      const v1 = await app.http().get(`/api/v1/agents/${agent.id}`).set(admin).expect(200);
      expect(v1.body.performance_metrics.tasks_completed).toBe(4);
    });
  });

  describe('bulk operations and statistics', () => {
    it('v2 bulk over valid, unknown and duplicate ids: per-item results say exactly that', async () => {
      const a = await createTask();
      const b = await createTask();
      const done = await createTask();
      await act(done.id, 'start').expect(200);
      await act(done.id, 'complete').expect(200);
      const response = await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({ task_ids: [a.id, UNKNOWN, b.id, a.id, done.id], operation: 'cancel' })
        .expect(200);
      expect(response.body).toEqual({
        operation: 'cancel',
        total_tasks: 5,
        successful: 2,
        failed: 3,
        results: [
          { task_id: a.id, success: true, action: 'cancelled' },
          { task_id: UNKNOWN, success: false, error: 'Task not found' },
          { task_id: b.id, success: true, action: 'cancelled' },
          { task_id: a.id, success: false, error: expect.stringContaining('Duplicate') },
          { task_id: done.id, success: false, error: expect.stringContaining('completed') },
        ],
      });

      const agent = await createAgent();
      const updated = await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({
          task_ids: [a.id, b.id, UNKNOWN],
          operation: 'update',
          parameters: { priority: 'critical' },
        })
        .expect(200);
      expect(updated.body).toMatchObject({ successful: 2, failed: 1 });
      const assigned = await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({
          task_ids: [a.id, b.id],
          operation: 'assign',
          parameters: { assigned_agent_id: agent.id },
        })
        .expect(200);
      expect(assigned.body.results.map((r: { action: string }) => r.action)).toEqual([
        'assigned',
        'assigned',
      ]);
      expect((await getTask(a.id)).assigned_agent.id).toBe(agent.id);
      const retried = await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({ task_ids: [a.id], operation: 'retry' })
        .expect(200);
      expect(retried.body.results[0]).toEqual({ task_id: a.id, success: true, action: 'retried' });
      const deleted = await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({ task_ids: [a.id, b.id], operation: 'delete' })
        .expect(200);
      expect(deleted.body.successful).toBe(2);

      await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({ task_ids: [done.id], operation: 'archive' })
        .expect(400);
      await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({ task_ids: [done.id], operation: 'update', parameters: { status: 'pending' } })
        .expect(400);
      await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({ task_ids: [done.id], operation: 'assign', parameters: { assigned_agent_id: 'x' } })
        .expect(400);
      const empty = await app
        .http()
        .post('/api/v2/tasks/bulk-operation')
        .set(admin)
        .send({ task_ids: [done.id], operation: 'update', parameters: {} })
        .expect(400);
      expect(empty.body.details).toEqual([
        { field: 'parameters', message: 'must name at least one field to change' },
      ]);
    });

    it('v1 bulk is all or nothing', async () => {
      const a = await createTask({ priority: 'low' });
      const b = await createTask({ priority: 'low' });
      const missing = await app
        .http()
        .patch('/api/v1/tasks/bulk')
        .set(admin)
        .send({ task_ids: [a.id, UNKNOWN], updates: { priority: 'high' } })
        .expect(400);
      expect(missing.body.message).toContain(UNKNOWN);
      expect((await getTask(a.id)).priority).toBe('low');

      const done = await createTask();
      await act(done.id, 'start').expect(200);
      await act(done.id, 'complete').expect(200);
      // Starting a completed task is illegal: the whole batch is refused.
      await app
        .http()
        .patch('/api/v1/tasks/bulk')
        .set(admin)
        .send({ task_ids: [a.id, done.id], updates: { status: 'in_progress' } })
        .expect(409);
      expect((await getTask(a.id)).status).toBe('pending');

      const ok = await app
        .http()
        .patch('/api/v1/tasks/bulk')
        .set(admin)
        .send({ task_ids: [a.id, b.id, a.id], updates: { priority: 'high', is_urgent: true } })
        .expect(200);
      expect(ok.body.map((t: { id: string; priority: string }) => [t.id, t.priority])).toEqual([
        [a.id, 'high'],
        [b.id, 'high'],
      ]);
    });

    it('statistics are computed from the stored tasks', async () => {
      const v1 = await app.http().get('/api/v1/tasks/stats/summary').set(admin).expect(200);
      const { rows } = await db.query(
        `SELECT COUNT(*)::int AS total, COUNT(*) FILTER (WHERE status = 'completed')::int AS completed,
                COUNT(*) FILTER (WHERE status = 'blocked')::int AS blocked FROM tasks`,
      );
      expect(v1.body).toMatchObject({
        total_tasks: rows[0].total,
        completed_tasks: rows[0].completed,
        blocked_tasks: rows[0].blocked,
        completion_rate: Math.round((rows[0].completed / rows[0].total) * 10_000) / 100,
      });
      const v2 = await app.http().get('/api/v2/tasks/statistics').set(admin).expect(200);
      expect(v2.body.total).toBe(rows[0].total);
      expect(v2.body.by_status.completed).toBe(rows[0].completed);
      expect(Object.values(v2.body.by_status).reduce((s: number, n) => s + (n as number), 0)).toBe(
        rows[0].total,
      );
    });
  });
});
