import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../src/realtime/event-bus.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey } from './support/identities.js';
import { pollUntil, sleep } from './support/poll.js';
import { connectSocket, TestSocket } from './support/socket.js';

const admin = apiKey(TEST_ADMIN_KEY);

/** What the home page's Recent Tasks row reads (reference/dashboard-client.md §3.6). */
const HOME_ROW = ['id', 'title', 'agent', 'status', 'priority', 'timestamp'];
/** What a task board card reads (§6). */
const BOARD_CARD = [
  'id',
  'title',
  'description',
  'status',
  'priority',
  'tags',
  'createdAt',
  'updatedAt',
  'dependencies',
];

describe('namespace /: the task_update the dashboard reads, paced per socket', () => {
  let stores: TestStores;
  let app: TestApp;
  let feed: TestSocket;

  const post = async (path: string, body: object = {}) =>
    (
      await app
        .http()
        .post(path)
        .set(admin)
        .send(body)
        .expect((r) => expect(r.status).toBeLessThan(300))
    ).body;
  const taskUpdates = (taskId: string) =>
    feed.events('task_update').filter((payload) => payload.taskId === taskId);

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { DASHBOARD_PUBLIC_READ: 'true', CACHE_ENABLED: 'false' });
  });

  beforeEach(async () => {
    feed?.close();
    feed = await connectSocket(app.url, { namespace: '/' });
  });

  afterAll(async () => {
    feed?.close();
    await app?.close();
    await stores?.drop();
  });

  it('creating a task sends one task_update with the home row and the board card; a status change updates both', async () => {
    const agent = await post('/api/v2/agents', { name: 'feeder', agent_type: 'coder' });
    const task = await post('/api/v2/tasks', {
      title: 'Feed the board',
      description: 'From the API',
      priority: 'high',
      tags: ['ui'],
      assigned_agent_id: agent.id,
      estimated_duration_minutes: 90,
    });
    const created = await feed.waitFor('task_update', (p) => p.taskId === task.id);
    expect(created).toEqual({
      action: 'create',
      taskId: task.id,
      // The home row, flat: a string status in the recent list's vocabulary.
      id: task.id,
      title: 'Feed the board',
      agent: 'feeder',
      status: 'pending',
      priority: 'high',
      timestamp: 'just now',
      // The board card.
      task: {
        id: task.id,
        title: 'Feed the board',
        description: 'From the API',
        status: 'todo',
        priority: 'high',
        agent: 'feeder',
        assignee: 'feeder',
        tags: ['ui'],
        createdAt: task.created_at,
        updatedAt: expect.any(String),
        estimatedTime: 90,
        dependencies: [],
      },
    });
    for (const field of HOME_ROW) expect(typeof created[field]).toBe('string');
    await sleep(100);
    expect(taskUpdates(task.id)).toHaveLength(1);
    for (const field of BOARD_CARD) expect(created.task[field]).toBeDefined();

    await post(`/api/v2/tasks/${task.id}/start`);
    const started = await feed.waitFor(
      'task_update',
      (p) => p.taskId === task.id && p.status === 'in_progress',
    );
    expect(started).toMatchObject({ action: 'update', id: task.id, status: 'in_progress' });
    expect(started.task).toMatchObject({ status: 'in_progress', estimatedTime: 90 });

    await app
      .http()
      .patch(`/api/v2/tasks/${task.id}/progress`)
      .set(admin)
      .send({ percentage: 50 })
      .expect(200);
    const progressed = await feed.waitFor(
      'task_update',
      (p) => p.taskId === task.id && p.task?.actualTime === 45,
    );
    expect(progressed.status).toBe('in_progress');

    await post(`/api/v2/tasks/${task.id}/complete`);
    const completed = await feed.waitFor(
      'task_update',
      (p) => p.taskId === task.id && p.status === 'completed',
    );
    expect(completed).toMatchObject({ action: 'update', duration: expect.any(Number) });
    expect(completed.task.status).toBe('done');

    await app.http().delete(`/api/v2/tasks/${task.id}`).set(admin).expect(204);
    const deleted = await feed.waitFor(
      'task_update',
      (p) => p.taskId === task.id && p.action === 'delete',
    );
    // Deletes carry the row as it last was, so a page that does not know it renders it.
    expect(deleted).toMatchObject({
      id: task.id,
      title: 'Feed the board',
      agent: 'feeder',
      status: 'completed',
      priority: 'high',
    });
    expect(deleted.task).toBeUndefined();
    // The overview follows as its own message, after the change that caused it (an earlier
    // one, for the agent created above, may have gone out before the task existed).
    const deletedAt = feed.received.findIndex(
      (entry) =>
        entry.event === 'task_update' &&
        entry.payload.taskId === task.id &&
        entry.payload.action === 'delete',
    );
    const overviewAfter = () =>
      feed.received.slice(deletedAt + 1).some((entry) => entry.event === 'dashboard_update');
    expect(await pollUntil(async () => overviewAfter(), Boolean)).toBe(true);
  });

  it('two changes committed together reach the client as two events, in order', async () => {
    const first = await post('/api/v2/tasks', { title: 'First' });
    const second = await post('/api/v2/tasks', { title: 'Second' });
    await feed.waitFor('task_update', (p) => p.taskId === second.id);
    const before = feed.received.length;
    // One v1 bulk update: both changes in one transaction and one batch of events.
    await app
      .http()
      .patch('/api/v1/tasks/bulk')
      .set(admin)
      .send({ task_ids: [first.id, second.id], updates: { priority: 'low' } })
      .expect(200);
    await feed.waitFor('task_update', (p) => p.taskId === second.id && p.priority === 'low');
    await feed.waitFor('task_update', (p) => p.taskId === first.id && p.priority === 'low');
    const lowered = feed.received
      .slice(before)
      .filter((entry) => entry.event === 'task_update' && entry.payload.priority === 'low')
      .map((entry) => entry.payload.taskId);
    expect(lowered.sort()).toEqual([first.id, second.id].sort());
    expect(lowered).toHaveLength(2);
  });

  it('200 updates of one task in a burst arrive as at most 10 events, the last with the final state', async () => {
    const task = await post('/api/v2/tasks', { title: 'Busy task' });
    await post(`/api/v2/tasks/${task.id}/start`);
    await feed.waitFor('task_update', (p) => p.taskId === task.id && p.status === 'in_progress');
    await sleep(200);
    const before = taskUpdates(task.id).length;
    const { body: view } = await app.http().get(`/api/v2/tasks/${task.id}`).set(admin).expect(200);
    // A burst as a busy service announces it: 200 progress events of one task in one batch.
    await app.service.app
      .get(EventBus)
      .publishAll(
        Array.from({ length: 200 }, (_, i) => [
          'task.progress' as const,
          { task: { ...view, title: `Busy task, step ${i + 1}` }, message: null },
        ]),
      );
    await feed.waitFor('task_update', (p) => p.title === 'Busy task, step 200');
    await sleep(300);
    const burst = taskUpdates(task.id).slice(before);
    expect(burst.length).toBeGreaterThanOrEqual(1);
    expect(burst.length).toBeLessThanOrEqual(10);
    expect(burst.at(-1)).toMatchObject({ action: 'update', title: 'Busy task, step 200' });
    expect(burst.at(-1).task.title).toBe('Busy task, step 200');
  });
});
