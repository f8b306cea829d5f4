import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/realtime/event-bus.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { checkSocketEvent } from './support/contract/asyncapi-contract.js';
import { apiKey, createApiKey } from './support/identities.js';
import { connectWs, TestWs } from './support/plain-ws.js';
import { eventually } from './support/poll.js';
import { RawClient } from './support/raw-client.js';
import { connectSocket } from './support/socket.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** Ids of the events of `room` after `afterId`, from the durable history, in order. */
async function historyIds(app: TestApp, room: string, afterId: string): Promise<string[]> {
  await app.service.app.get(EventBus).flushed();
  const ids: string[] = [];
  let after = afterId;
  for (;;) {
    const { body } = await app
      .http()
      .get('/api/v2/websocket/event-history')
      .query({ room, after_id: after, limit: 1000 })
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    const events = body.events as { id: string }[];
    if (!events.length) return ids;
    ids.push(...events.map((event) => event.id));
    after = events[events.length - 1].id;
  }
}

describe('plain WebSocket /ws/v2 and Server-Sent Events', () => {
  let stores: TestStores;
  let app: TestApp;
  let operatorKey: string;
  let viewerKey: string;
  const clients: { close(): void }[] = [];

  const createTask = async (title: string) => {
    const { body } = await app
      .http()
      .post('/api/v2/tasks')
      .set(apiKey(operatorKey))
      .send({ title })
      .expect(201);
    return body as { id: string };
  };
  const createAgent = async (name: string) => {
    const { body } = await app
      .http()
      .post('/api/v2/agents')
      .set(apiKey(operatorKey))
      .send({ name, agent_type: 'sse-test' })
      .expect(201);
    return body as { id: string };
  };
  const track = <T extends { close(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
    operatorKey = (await createApiKey(app.url, 'operator')).key;
    viewerKey = (await createApiKey(app.url, 'viewer')).key;
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    clients.length = 0;
    await app?.close();
    await stores?.drop();
    app = undefined!;
  });

  it('authenticates, joins tasks, follows changes, and after missing 100 events gets each once, in order', async () => {
    const ws = track(await connectWs(app.url, '/ws/v2'));
    const auth = await ws.request('auth', { data: { token: operatorKey } });
    expect(auth).toMatchObject({ type: 'ack', ok: true, reply_to: 'auth' });
    expect(await ws.request('join_room', { room: 'tasks' })).toMatchObject({
      type: 'ack',
      ok: true,
      room: 'tasks',
      members_count: 1,
    });

    const task = await createTask('followed over a plain WebSocket');
    const update = await ws.waitFor('task_update', (frame) => frame.data.task?.id === task.id);
    expect(update).toMatchObject({ room: 'tasks', data: { event: 'created' } });
    expect(update.rooms).toContain(`task:${task.id}`);
    await app.service.app.get(EventBus).flushed();
    const seen = ws.frames.filter((frame) => frame.message_id).map((frame) => frame.message_id);
    const lastSeen = seen[seen.length - 1] as string;
    ws.close();
    await ws.closed;

    for (let i = 0; i < 100; i++) await createTask(`missed ${i}`);
    const missed = await historyIds(app, 'tasks', lastSeen);
    expect(missed.length).toBeGreaterThanOrEqual(100);

    const again = track(
      await connectWs(app.url, '/ws/v2', {
        token: operatorKey,
        rooms: 'tasks',
        last_event_id: lastSeen,
      }),
    );
    await again.waitFor('event_history', (frame) => frame.message_id === missed.at(-1), 15_000);
    const replayed = again.of('event_history');
    expect(replayed.map((frame) => frame.message_id)).toEqual(missed);
    // Each carries the original envelope unchanged.
    expect(replayed[0].data).toMatchObject({ id: missed[0], type: 'task_update' });
    expect(again.of('replay_truncated')).toEqual([]);

    const live = await createTask('live after the replay');
    await again.waitFor('task_update', (frame) => frame.data.task?.id === live.id);
    const liveIds = again.of('task_update').map((frame) => BigInt(frame.message_id as string));
    expect(liveIds.every((id) => id > BigInt(missed.at(-1)!))).toBe(true);
  });

  it('refuses a viewer the admin room and answers bad frames with error frames, staying usable', async () => {
    const ws = track(
      await connectWs(app.url, '/ws/v2', {}, { Authorization: `Bearer ${viewerKey}` }),
    );
    await ws.waitFor('connection_state');
    expect(await ws.request('join_room', { room: 'admin' })).toMatchObject({
      type: 'error',
      ok: false,
      reply_to: 'join_room',
      error: { status_code: 403 },
    });

    ws.sendRaw('{"type": "join_room", ');
    const badJson = await ws.waitFor('error', (frame) => /JSON/.test(frame.error.message));
    expect(badJson.error.status_code).toBe(400);
    expect(await ws.request('subscribe_everything')).toMatchObject({
      type: 'error',
      error: { status_code: 400, message: expect.stringContaining('Unknown type') },
    });
    const noRoom = await ws.request('join_room', {});
    expect(noRoom).toMatchObject({ type: 'error', error: { status_code: 400 } });
    expect(noRoom.error.details.map((detail: { field: string }) => detail.field)).toContain('room');
    expect(await ws.request('room_message', { room: 'room:lobby', data: 'hi' })).toMatchObject({
      type: 'error',
      error: { status_code: 403 },
    });

    expect(await ws.request('ping')).toMatchObject({ type: 'ack', ok: true, pong: true });
    expect(await ws.request('join_room', { room: 'agents' })).toMatchObject({ ok: true });
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes with 4401 a connection whose credential is refused, and asks for auth before anything else', async () => {
    const anonymous = track(await connectWs(app.url, '/ws/v2'));
    expect(await anonymous.request('join_room', { room: 'tasks' })).toMatchObject({
      type: 'error',
      error: { status_code: 401 },
    });
    expect(anonymous.ws.readyState).toBe(WebSocket.OPEN);
    await anonymous.request('auth', { data: { token: 'not-a-real-credential-at-all' } });
    expect(await anonymous.closed).toBe(4401);

    const badQuery = track(await connectWs(app.url, '/ws/v2', { token: 'wrong-token-0123456789' }));
    expect(await badQuery.closed).toBe(4401);
  });

  it('relays room messages between plain WebSocket and Socket.IO members of a room', async () => {
    const ws = track(await connectWs(app.url, '/ws/v2', { token: operatorKey }));
    await ws.waitFor('connection_state');
    const socket = track(await connectSocket(app.url, { token: viewerKey }));
    expect((await socket.ack('join_room', { room: 'room:mixed' })).ok).toBe(true);
    expect(await ws.request('join_room', { room: 'room:mixed' })).toMatchObject({
      ok: true,
      members_count: 2,
    });

    const sent = await ws.request('room_message', { room: 'room:mixed', data: { text: 'hello' } });
    expect(sent).toMatchObject({ type: 'ack', ok: true, room: 'room:mixed' });
    const relayed = await socket.waitFor('room_message', (event) => event.id === sent.event_id);
    expect(relayed.data.data).toEqual({ text: 'hello' });

    expect((await socket.ack('room_message', { room: 'room:mixed', data: 'back' })).ok).toBe(true);
    const back = await ws.waitFor('room_message', (frame) => frame.data.data === 'back');
    expect(back.room).toBe('room:mixed');
    // Not echoed to its own sender.
    expect(ws.of('room_message').some((frame) => frame.message_id === sent.event_id)).toBe(false);
  });

  it('streams agents to an EventSource that is cut and resumes with Last-Event-ID without loss or duplicates', async () => {
    const port = Number(new URL(app.url).port);
    const proxy = await TcpProxy.start('127.0.0.1', port);
    const received: { id: string; envelope: { id: string; type: string } }[] = [];
    let opened = 0;
    const source = new EventSource(
      `http://127.0.0.1:${proxy.port}/api/v2/events/stream?rooms=agents`,
      {
        fetch: (input, init) =>
          fetch(input, { ...init, headers: { ...init?.headers, 'X-API-Key': viewerKey } }),
      },
    );
    track(source);
    track(proxy);
    source.addEventListener('open', () => opened++);
    source.addEventListener('agent_update', (event) => {
      const envelope = JSON.parse(event.data as string);
      checkSocketEvent('/api/v2/events/stream', 'agent_update', envelope);
      received.push({ id: event.lastEventId, envelope });
    });
    await eventually(async () => expect(opened).toBe(1), 5_000);

    const first = await createAgent(`sse first ${Date.now()}`);
    await eventually(async () => expect(received.length).toBeGreaterThan(0), 5_000);
    expect(received[0].envelope).toMatchObject({ id: received[0].id, type: 'agent_update' });
    expect(
      (received[0].envelope as unknown as { data: { agent: { id: string } } }).data.agent.id,
    ).toBe(first.id);
    const resumeFrom = received[received.length - 1].id;

    proxy.cut('reset');
    for (let i = 0; i < 20; i++) await createAgent(`sse missed ${i} ${Date.now()}`);
    const missed = await historyIds(app, 'agents', resumeFrom);
    expect(missed.length).toBeGreaterThanOrEqual(20);
    proxy.restore();

    await eventually(
      async () => expect(received.map((event) => event.id)).toContain(missed.at(-1)),
      15_000,
      100,
    );
    expect(opened).toBeGreaterThanOrEqual(2);
    const ids = received.map((event) => event.id);
    expect(ids.slice(ids.indexOf(resumeFrom) + 1)).toEqual(missed);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a stream of a room the caller may not join, and takes ?token= on this route only', async () => {
    const refused = await app
      .http()
      .get('/api/v2/events/stream')
      .query({ rooms: 'agents,admin' })
      .set(apiKey(viewerKey));
    expect(refused.status).toBe(403);
    const unknown = await app
      .http()
      .get('/api/v2/events/stream')
      .query({ rooms: 'no-such-room' })
      .set(apiKey(viewerKey));
    expect(unknown.status).toBe(400);
    await app.http().get('/api/v2/events/stream').query({ rooms: 'agents' }).expect(401);
    // Elsewhere a token in the URL is no credential.
    await app.http().get('/api/v2/auth/me').query({ token: viewerKey }).expect(401);

    const controller = new AbortController();
    const response = await fetch(
      `${app.url}/api/v2/events/stream?rooms=agents&token=${encodeURIComponent(viewerKey)}`,
      { signal: controller.signal },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toMatch(/^retry: \d+\n: connected/);
    controller.abort();
  });

  it('answers a stream request that carries a body (read to its end) instead of leaving it hanging', async () => {
    const response = await new RawClient(app.url).send({
      method: 'GET',
      url: '/api/v2/events/stream?rooms=agents',
      headers: { 'X-API-Key': viewerKey, 'Content-Type': 'application/json' },
      body: Buffer.from('{"ignored":true}'),
      timeoutMs: 5_000,
    });
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/^retry: \d+\n: connected/);
  });
});

describe('plain WebSocket /ws (basic feed)', () => {
  let stores: TestStores;
  let open: TestApp;
  let closed: TestApp;
  let viewerKey: string;
  const clients: TestWs[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    open = await startTestApp(stores, { DASHBOARD_PUBLIC_READ: 'true' });
    closed = await startTestApp(stores, { DASHBOARD_PUBLIC_READ: 'false' });
    viewerKey = (await createApiKey(open.url, 'viewer')).key;
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    clients.length = 0;
    await open?.close();
    await closed?.close();
    await stores?.drop();
    [open, closed] = [undefined!, undefined!];
  });

  it('with DASHBOARD_PUBLIC_READ=true: welcomes a client without a credential, answers v1 frames, and sends the feed', async () => {
    const ws = await connectWs(open.url, '/ws');
    clients.push(ws);
    const welcome = await ws.waitFor('connection_established');
    expect(welcome.data).toMatchObject({ message: 'Connected to SubForge Dashboard' });

    ws.sendRaw(JSON.stringify({ type: 'ping' }));
    expect((await ws.waitFor('pong')).data.timestamp).toEqual(expect.any(String));
    ws.sendRaw(JSON.stringify({ type: 'subscribe', data: { topics: ['agents'] } }));
    expect((await ws.waitFor('subscription_acknowledged')).data).toEqual({ topics: ['agents'] });
    ws.sendRaw('not json');
    expect((await ws.waitFor('error')).data.status_code).toBe(400);

    const { body: task } = await open
      .http()
      .post('/api/v2/tasks')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ title: 'seen on the basic feed' })
      .expect(201);
    const update = await ws.waitFor('task_update', (frame) => frame.data.taskId === task.id);
    expect(update.data).toMatchObject({ action: 'create', title: 'seen on the basic feed' });
  });

  it('with DASHBOARD_PUBLIC_READ=false: closes a client without a credential with 4401 and serves one with a key', async () => {
    const anonymous = await connectWs(closed.url, '/ws');
    clients.push(anonymous);
    expect(await anonymous.closed).toBe(4401);

    const withKey = await connectWs(closed.url, '/ws', { token: viewerKey });
    clients.push(withKey);
    await withKey.waitFor('connection_established');
    withKey.sendRaw(JSON.stringify({ type: 'ping' }));
    await withKey.waitFor('pong');
    const { body: agent } = await closed
      .http()
      .post('/api/v2/agents')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ name: `feed agent ${Date.now()}`, agent_type: 'feed' })
      .expect(201);
    await withKey.waitFor('agent_status_update', (frame) => frame.data.agentId === agent.id);
  });
});
