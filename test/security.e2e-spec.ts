import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  spawnService,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, createApiKey, createUser } from './support/identities.js';
import { ConnectionLimits } from '../src/realtime/connection-limits.js';
import { EventStore } from '../src/realtime/event-store.service.js';
import { RedisService } from '../src/redis/redis.service.js';
import { connectSocket, TestSocket } from './support/socket.js';

describe('security: what a viewer, an operator or a stranger may do', () => {
  let stores: TestStores;
  let app: TestApp;
  let viewerKey: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    // One proxy in front: the client IP is the last X-Forwarded-For entry.
    app = await startTestApp(stores, { TRUST_PROXY: '1', DASHBOARD_PUBLIC_READ: 'true' });
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

  it('keeps the admin room, its members and its history from viewers over REST', async () => {
    const admin = await connect(TEST_ADMIN_KEY, ['admin']);
    await app
      .http()
      .post('/api/v2/websocket/broadcast')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ message_type: 'system_notification', room: 'admin', data: { secret: 'for admins' } })
      .expect(200);
    await admin.waitFor('system_notification', (envelope) => envelope.data?.secret);

    const history = (query: Record<string, string>, key: string) =>
      app.http().get('/api/v2/websocket/event-history').query(query).set(apiKey(key));
    await history({ room: 'admin' }, viewerKey).expect(403);
    const everything = await history({ limit: '1000' }, viewerKey).expect(200);
    expect(
      everything.body.events.filter((event: { rooms: string[] }) => event.rooms.includes('admin')),
    ).toEqual([]);
    const asAdmin = await history({ room: 'admin' }, TEST_ADMIN_KEY).expect(200);
    expect(asAdmin.body.events.length).toBeGreaterThan(0);

    await app.http().get('/api/v2/websocket/rooms/admin').set(apiKey(viewerKey)).expect(403);
    const rooms = await app
      .http()
      .get('/api/v2/websocket/rooms')
      .set(apiKey(viewerKey))
      .expect(200);
    expect(rooms.body.map((room: { name: string }) => room.name)).not.toContain('admin');
    const stats = await app
      .http()
      .get('/api/v2/websocket/statistics')
      .set(apiKey(viewerKey))
      .expect(200);
    expect(stats.body.rooms.map((room: { name: string }) => room.name)).not.toContain('admin');
    await app.http().get('/api/v2/websocket/rooms/admin').set(apiKey(TEST_ADMIN_KEY)).expect(200);
  });

  it('answers a queue board cookie that does not decode with 401, not 500', async () => {
    const response = await app.http().get('/admin/queues').set('Cookie', 'subforge_board=%E0');
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status_code: 401 });
  });

  it('parses 40,000-key uploads off the event loop and refuses over-complex documents', async () => {
    const agent = await app
      .http()
      .post('/api/v2/agents')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ name: 'parser-target', agent_type: 'test' })
      .expect(201);
    const url = `/api/v2/agents/${agent.body.id}/configuration/upload`;
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}`);
    const json = JSON.stringify(Object.fromEntries(keys.map((key, i) => [key, i])));
    const yaml = keys.map((key, i) => `${key}: ${i}`).join('\n');
    for (const [name, content] of [
      ['wide.json', json],
      ['wide.yaml', yaml],
    ]) {
      const upload = app
        .http()
        .post(url)
        .set(apiKey(TEST_ADMIN_KEY))
        .attach('file', Buffer.from(content), name)
        .then((response) => response.status);
      // A frozen event loop would leave these unanswered for seconds.
      const health = Array.from({ length: 20 }, (_, i) =>
        new Promise((wait) => setTimeout(wait, i * 25)).then(() =>
          app.http().get('/health').timeout(5_000),
        ),
      );
      const [status, ...answers] = await Promise.all([upload, ...health]);
      expect(status).toBe(400);
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    }
    const tooComplex = JSON.stringify({ model: 'm', tools: Array(100_001).fill('t') });
    const refused = await app
      .http()
      .post(url)
      .set(apiKey(TEST_ADMIN_KEY))
      .attach('file', Buffer.from(tooComplex), 'deep.json')
      .expect(400);
    expect(refused.body.details).toEqual([
      expect.objectContaining({ field: 'file', message: expect.stringContaining('too complex') }),
    ]);
  });

  it('lets only admins cancel or retry admin-only jobs', async () => {
    const operatorKey = (await createApiKey(app.url, 'operator')).key;
    const backup = await app
      .http()
      .post('/api/v2/background-tasks')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ task_name: 'system.backup', delay_ms: 60_000 })
      .expect(201);
    const id = backup.body.id as string;
    const control = (action: string, key: string) =>
      app.http().post(`/api/v2/background-tasks/${id}/${action}`).set(apiKey(key));
    await control('cancel', operatorKey).expect(403);
    const bulk = await app
      .http()
      .post('/api/v2/background-tasks/bulk-operation')
      .set(apiKey(operatorKey))
      .send({ operation: 'cancel', task_ids: [id] })
      .expect(200);
    expect(bulk.body.results[0]).toMatchObject({ success: false });
    await control('cancel', TEST_ADMIN_KEY).expect(200);
    await control('retry', operatorKey).expect(403);
    await control('cancel', TEST_ADMIN_KEY).expect(409);
  });

  it('refuses large or many text fields in a configuration upload', async () => {
    const agent = await app
      .http()
      .post('/api/v2/agents')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ name: 'fields-target', agent_type: 'test' })
      .expect(201);
    const url = `/api/v2/agents/${agent.body.id}/configuration/upload`;
    const upload = () =>
      app
        .http()
        .post(url)
        .set(apiKey(TEST_ADMIN_KEY))
        .attach('file', Buffer.from('{"model": "m"}'), 'c.json');
    await upload().expect(202);
    const large = await upload().field('note', 'x'.repeat(64 * 1024));
    expect([400, 413]).toContain(large.status);
    let many = upload();
    for (let i = 0; i < 20; i++) many = many.field(`f${i}`, 'x');
    expect([400, 413]).toContain((await many).status);
  });

  it('locks sign-in per email and client IP: a stranger cannot lock the owner out', async () => {
    const user = await createUser(app.url, 'viewer');
    const login = (forwardedFor: string, password: string) =>
      app
        .http()
        .post('/api/v2/auth/login')
        .set('X-Forwarded-For', forwardedFor)
        .send({ email: user.email, password });
    // The attacker forges a different first hop each time; the proxy's entry is the real one.
    for (let attempt = 0; attempt < 5; attempt++)
      await login(`198.51.100.${attempt}, 203.0.113.5`, 'wrong-password').expect(401);
    await login('203.0.113.5', user.password).expect(429);
    await login('203.0.113.77', user.password).expect(200);
  });

  it('sends namespace / only the notifications meant for everyone', async () => {
    const basic = await connectSocket(app.url, { namespace: '/', token: viewerKey });
    sockets.push(basic);
    const notify = (room: string, tag: string) =>
      app
        .http()
        .post('/api/v2/websocket/broadcast')
        .set(apiKey(TEST_ADMIN_KEY))
        .send({ message_type: 'system_notification', room, data: { tag } })
        .expect(200);
    await notify('admin', 'admins-only');
    await notify('room:ops', 'ops-only');
    await notify('system', 'everyone');
    await basic.waitFor('system_alert', (alert) => alert.tag === 'everyone');
    expect(basic.events('system_alert').map((alert) => alert.tag)).toEqual(['everyone']);
  });

  it('says loudly when it restores a revoked ADMIN_API_KEY at start', async () => {
    const own = await createTestStores();
    try {
      const first = await spawnService({ ...own.env, PORT: '0' });
      const keys = await request(first.url)
        .get('/api/v2/auth/api-keys')
        .set(apiKey(TEST_ADMIN_KEY));
      const configured = keys.body.data.find((key: { name: string }) =>
        key.name.includes('ADMIN_API_KEY'),
      );
      await request(first.url)
        .delete(`/api/v2/auth/api-keys/${configured.id}`)
        .set(apiKey(TEST_ADMIN_KEY))
        .expect(204);
      await first.stop();
      const second = await spawnService({ ...own.env, PORT: '0' });
      await second.stop();
      expect(second.output()).toMatch(/ADMIN_API_KEY \(.*\) was revoked .* is being restored/);
    } finally {
      await own.drop();
    }
  });

  it('shows the SubForge project path to operators only, not to public readers', async () => {
    const anonymous = await app.http().get('/api/subforge/status').expect(200);
    expect(anonymous.body.subforge_directory).toBeNull();
    const viewer = await app.http().get('/api/subforge/status').set(apiKey(viewerKey)).expect(200);
    expect(viewer.body.subforge_directory).toBeNull();
    const admin = await app
      .http()
      .get('/api/subforge/status')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(admin.body.subforge_directory).toMatch(/\.subforge$/);
  });

  it('masks agent environment variables except for admins, and keeps them on a masked write', async () => {
    const operatorKey = (await createApiKey(app.url, 'operator')).key;
    const created = await app
      .http()
      .post('/api/v2/agents')
      .set(apiKey(operatorKey))
      .send({
        name: 'secretive',
        agent_type: 'test',
        configuration: { timeout: 30, environment_vars: { API_TOKEN: 'sk-live-123' } },
      })
      .expect(201);
    expect(created.body.configuration.environment_vars).toEqual({ API_TOKEN: '***' });
    const read = (key: string, version = 'v2') =>
      app.http().get(`/api/${version}/agents/${created.body.id}`).set(apiKey(key)).expect(200);
    expect((await read(viewerKey)).body.configuration.environment_vars.API_TOKEN).toBe('***');
    expect((await read(viewerKey, 'v1')).body.configuration.environment_vars.API_TOKEN).toBe('***');
    const list = await app.http().get('/api/v2/agents').set(apiKey(viewerKey)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain('sk-live-123');
    await app
      .http()
      .put(`/api/v2/agents/${created.body.id}`)
      .set(apiKey(operatorKey))
      .send({ configuration: { timeout: 60, environment_vars: { API_TOKEN: '***', NEW: 'x' } } })
      .expect(200);
    const asAdmin = await read(TEST_ADMIN_KEY);
    expect(asAdmin.body.configuration).toEqual({
      timeout: 60,
      environment_vars: { API_TOKEN: 'sk-live-123', NEW: 'x' },
    });
    const history = await app
      .http()
      .get('/api/v2/websocket/event-history')
      .query({ room: 'agents', limit: '1000' })
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(JSON.stringify(history.body)).not.toContain('sk-live-123');
    // Admins read them in lists too.
    const adminList = await app
      .http()
      .get('/api/v1/agents')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    const listed = adminList.body.find((agent: { id: string }) => agent.id === created.body.id);
    expect(listed.configuration.environment_vars.API_TOKEN).toBe('sk-live-123');

    // The same in an uploaded agent configuration file's parsed content.
    const config = JSON.stringify({
      model: 'claude-sonnet',
      tools: [],
      capabilities: [],
      environment_vars: { API_TOKEN: 'sk-file-456' },
    });
    const { body: uploaded } = await app
      .http()
      .post('/api/v2/files/upload/agent_configs')
      .set(apiKey(operatorKey))
      .attach('files', Buffer.from(config), 'agent.json')
      .expect(201);
    const validate = (key: string) =>
      app
        .http()
        .post(`/api/v2/files/${uploaded.files[0].id}/validate`)
        .query({ validation_type: 'json' })
        .set(apiKey(key))
        .expect(200);
    expect((await validate(operatorKey)).body.parsed_content.environment_vars).toEqual({
      API_TOKEN: '***',
    });
    expect((await validate(TEST_ADMIN_KEY)).body.parsed_content.environment_vars).toEqual({
      API_TOKEN: 'sk-file-456',
    });
  });

  it('bounds room messages: 16 KiB of data, 20 a second per credential across its sockets', async () => {
    const floodKey = (await createApiKey(app.url, 'viewer')).key;
    const first = await connect(floodKey);
    const second = await connect(floodKey);
    for (const socket of [first, second]) await socket.ack('join_room', { room: 'room:flood' });
    const large = await first.ack('room_message', {
      room: 'room:flood',
      data: { text: 'x'.repeat(16 * 1024) },
    });
    expect(large).toMatchObject({ ok: false, error: { status_code: 413 } });
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? first : second).ack('room_message', { room: 'room:flood', data: { i } }),
      ),
    );
    const limited = acks.filter((ack) => ack.error?.status_code === 429);
    // 50 messages within at most two one-second windows: at least 10 over the limit.
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(acks.filter((ack) => ack.ok).length).toBeGreaterThan(0);
  });

  it('takes a demoted admin out of the admin room at once', async () => {
    const user = await createUser(app.url, 'admin');
    const socket = await connect(user.token, ['admin']);
    expect(await socket.ack('join_room', { room: 'admin' })).toMatchObject({ ok: true });
    await app
      .http()
      .patch(`/api/v2/users/${user.id}`)
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ role: 'viewer' })
      .expect(200);
    await socket.waitFor('system_notification', (note) => note.event === 'disconnected', 1_000);
    await app
      .http()
      .post('/api/v2/websocket/broadcast')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ message_type: 'system_notification', room: 'admin', data: { tag: 'after' } })
      .expect(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.socket.connected).toBe(false);
    expect(socket.events('system_notification').filter((note) => note.tag === 'after')).toEqual([]);
  });

  it('namespace / ends a socket with its token and applies the message budget', async () => {
    const short = await startTestApp(stores, {
      JWT_EXPIRES_IN: '2s',
      SOCKET_MESSAGES_PER_SECOND: '5',
    });
    try {
      const user = await createUser(short.url, 'viewer');
      const basic = await connectSocket(short.url, { namespace: '/', token: user.token });
      sockets.push(basic);
      const pongs = () => basic.events('pong').length;
      for (let i = 0; i < 40; i++) basic.socket.emit('ping');
      await basic.waitFor('system_notification', (note) => note.event === 'token_expired', 5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(basic.socket.connected).toBe(false);
      // A burst of twice the budget passes (plus what refilled meanwhile), the rest is dropped.
      expect(pongs()).toBeGreaterThan(0);
      expect(pongs()).toBeLessThan(40);
    } finally {
      await short.close();
    }
  });

  it('admits at most 50 live connections per credential, on both namespaces', async () => {
    const key = (await createApiKey(app.url, 'viewer')).key;
    const opened = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        connectSocket(app.url, { token: key, namespace: i % 2 ? '/' : '/v2' }),
      ),
    );
    sockets.push(...opened);
    await expect(connectSocket(app.url, { token: key })).rejects.toThrow('too many connections');
    await expect(connectSocket(app.url, { token: key, namespace: '/' })).rejects.toThrow(
      'too many connections',
    );
    // Another credential is not affected; a closed connection frees its place.
    sockets.push(await connect(viewerKey));
    opened[0].close();
    let again: TestSocket | undefined;
    for (let attempt = 0; attempt < 20 && !again; attempt++) {
      again = await connectSocket(app.url, { token: key }).catch(() => undefined);
      if (!again) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(again?.socket.connected).toBe(true);
    sockets.push(again!);
    for (const socket of opened) socket.close();
  });

  it('refreshes the leases of live connections, chunk by chunk, and not of closed ones', async () => {
    const credentials = [
      await createApiKey(app.url, 'viewer'),
      await createApiKey(app.url, 'viewer'),
    ];
    const opened = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        connectSocket(app.url, { token: credentials[i % 2].key }),
      ),
    );
    sockets.push(...opened);
    const redis = app.service.app.get(RedisService);
    const keys = credentials.map(({ id }) => redis.key('ws-connections', 'api_key', id));
    const leases = async () => {
      const found = new Map<string, number>();
      for (const key of keys) {
        const entries = await redis.client.zrange(key, 0, -1, 'WITHSCORES');
        for (let i = 0; i < entries.length; i += 2) found.set(entries[i], Number(entries[i + 1]));
      }
      return found;
    };
    const before = await leases();
    expect(before.size).toBe(12);
    // One lease gone from Redis while its connection still looks live here (it is closing
    // on another path): a refresh must not bring it back.
    const [gone] = before.keys();
    await redis.client.zrem(keys[0], gone);
    await redis.client.zrem(keys[1], gone);
    await new Promise((resolve) => setTimeout(resolve, 10));

    await app.service.app.get(ConnectionLimits).refresh(5);
    const after = await leases();
    expect([...after.keys()].sort()).toEqual([...before.keys()].filter((m) => m !== gone).sort());
    for (const [member, expiry] of after) expect(expiry).toBeGreaterThan(before.get(member)!);
  });

  it('reads history in batches of at most 1,000 rows or 4 MiB, and replays all of it', async () => {
    const big = 'x'.repeat(900 * 1024);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { body } = await app
        .http()
        .post('/api/v2/websocket/broadcast')
        .set(apiKey(TEST_ADMIN_KEY))
        .send({ message_type: 'system_notification', room: 'room:big', data: { i, big } })
        .expect(200);
      ids.push(body.event_id);
    }
    const store = app.service.app.get(EventStore);
    const sizes: number[] = [];
    for await (const batch of store.batches('rooms && $1::text[]', [['room:big']], '0', 1_000)) {
      sizes.push(batch.length);
      const bytes = batch.reduce((sum, event) => sum + JSON.stringify(event.data).length, 0);
      // Past the first event of a batch, at most 4 MiB.
      expect(bytes - JSON.stringify(batch[batch.length - 1].data).length).toBeLessThan(
        4 * 1024 * 1024,
      );
    }
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6);

    const socket = await connectSocket(app.url, {
      token: TEST_ADMIN_KEY,
      rooms: ['room:big'],
      lastEventId: '0',
    });
    sockets.push(socket);
    await socket.waitFor('event_history', (event) => event.id === ids[5]);
    expect(socket.events('event_history').map((event) => event.id)).toEqual(ids);
  });
});
