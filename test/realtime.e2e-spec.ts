import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/realtime/event-bus.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, bearer, createApiKey, createUser } from './support/identities.js';
import { connectSocket, TestSocket } from './support/socket.js';
import { sleep } from './support/poll.js';

function bus(app: TestApp): EventBus {
  return app.service.app.get(EventBus);
}

/** Publishes `count` notifications spread over `rooms`, returns nothing; ids come from the history. */
async function publishMany(
  app: TestApp,
  count: number,
  rooms: string[],
  tag: string,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await bus(app).publish('system.notification', {
      room: rooms[i % rooms.length],
      data: { tag, i },
    });
    if (i % 50 === 0) await sleep(1);
  }
  await bus(app).flushed();
}

async function historyIds(app: TestApp, rooms: string[], afterId: string): Promise<string[]> {
  const ids: string[] = [];
  let after = afterId;
  for (;;) {
    const { body } = await app
      .http()
      .get('/api/v2/websocket/event-history')
      .query({ after_id: after, limit: 1000 })
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    const events = body.events as { id: string; rooms: string[] }[];
    if (!events.length) return ids;
    for (const event of events)
      if (event.rooms.some((room) => rooms.includes(room))) ids.push(event.id);
    after = events[events.length - 1].id;
  }
}

function assertStrictlyIncreasing(ids: string[]): void {
  for (let i = 1; i < ids.length; i++)
    expect(BigInt(ids[i]) > BigInt(ids[i - 1]), `${ids[i - 1]} then ${ids[i]}`).toBe(true);
}

describe('real-time: rooms, auth and management', () => {
  let stores: TestStores;
  let a: TestApp;
  let b: TestApp;
  let viewerKey: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    a = await startTestApp(stores);
    b = await startTestApp(stores);
    viewerKey = (await createApiKey(a.url, 'viewer')).key;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await a?.close();
    await b?.close();
    await stores?.drop();
    // Vitest keeps a finished suite's hooks, and what they reach, until the process ends.
    sockets.length = 0;
    [a, b] = [undefined!, undefined!];
  });

  async function connect(app: TestApp, options: Parameters<typeof connectSocket>[1] = {}) {
    const socket = await connectSocket(app.url, { token: viewerKey, ...options });
    sockets.push(socket);
    return socket;
  }

  it('event-history without after_id or since answers the newest events, in id order', async () => {
    for (let i = 0; i < 5; i++)
      await bus(a).publishAndWait('system.notification', { room: 'room:newest', data: { i } });
    const { body } = await a
      .http()
      .get('/api/v2/websocket/event-history')
      .query({ room: 'room:newest', limit: 3 })
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(body.events.map((event: any) => event.data.i)).toEqual([2, 3, 4]);
    expect(body.total_count).toBe(5);
    // With after_id, the oldest after it, as before.
    const after = await a
      .http()
      .get('/api/v2/websocket/event-history')
      .query({ room: 'room:newest', limit: 2, after_id: '0' })
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(after.body.events.map((event: any) => event.data.i)).toEqual([0, 1]);
  });

  it('refuses a handshake without a valid credential', async () => {
    await expect(connectSocket(a.url, {})).rejects.toThrow('unauthorized');
    await expect(connectSocket(a.url, { token: 'sf_not-a-real-key-at-all-0000' })).rejects.toThrow(
      'unauthorized',
    );
  });

  it('authorises rooms: admin only for admins, free rooms by pattern', async () => {
    const socket = await connect(a);
    const admin = await socket.ack('join_room', { room: 'admin' });
    expect(admin).toMatchObject({ ok: false, error: { status_code: 403 } });
    const bad = await socket.ack('join_room', { room: 'room:bad name!' });
    expect(bad).toMatchObject({ ok: false, error: { status_code: 400 } });
    const missing = await socket.ack('join_room', {});
    expect(missing).toMatchObject({ ok: false, error: { status_code: 400 } });
    const long = await socket.ack('join_room', { room: `room:${'x'.repeat(96)}` });
    expect(long).toMatchObject({
      ok: false,
      error: {
        status_code: 400,
        details: [{ field: 'room', message: expect.stringMatching(/100/) }],
      },
    });
    const good = await socket.ack('join_room', { room: 'room:team-1' });
    expect(good).toMatchObject({ ok: true, room: 'room:team-1', members_count: 1 });
    expect(await socket.ack('ping')).toMatchObject({ pong: true });
  });

  it('delivers across instances: events and REST broadcasts from A reach a client on B', async () => {
    const onB = await connect(b, { rooms: ['system', 'room:x'] });
    await bus(a).publish('system.notification', { room: 'room:x', data: { hello: 'from A' } });
    const event = await onB.waitFor(
      'system_notification',
      (envelope) => envelope.data?.hello === 'from A',
    );
    expect(event).toMatchObject({
      type: 'system_notification',
      rooms: ['room:x'],
      id: expect.stringMatching(/^\d+$/),
    });

    const { body } = await a
      .http()
      .post('/api/v2/websocket/broadcast')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ message_type: 'system_notification', data: { notice: 'maintenance' } })
      .expect(200);
    expect(body).toMatchObject({
      recipients_count: expect.any(Number),
      event_id: expect.any(String),
    });
    const broadcast = await onB.waitFor(
      'system_notification',
      (envelope) => envelope.data?.notice === 'maintenance',
    );
    expect(broadcast.id).toBe(body.event_id);
  });

  it('manages connections of every instance from any instance', async () => {
    const onB = await connect(b);
    const { body } = await a
      .http()
      .get('/api/v2/websocket/connections')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(body.connections.map((c: { id: string }) => c.id)).toContain(onB.id);
    const one = await a
      .http()
      .get(`/api/v2/websocket/connections/${onB.id}`)
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(one.body).toMatchObject({
      id: onB.id,
      authenticated: true,
      principal: { role: 'viewer' },
    });

    await a
      .http()
      .post('/api/v2/websocket/rooms/room:moved/join')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ connection_id: onB.id })
      .expect(200);
    const room = await a
      .http()
      .get('/api/v2/websocket/rooms/room:moved')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(room.body.members.map((m: { id: string }) => m.id)).toEqual([onB.id]);
    await bus(a).publish('system.notification', { room: 'room:moved', data: { moved: true } });
    await onB.waitFor('system_notification', (envelope) => envelope.data?.moved === true);

    await a
      .http()
      .get('/api/v2/websocket/rooms/room:nobody')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(404);
    await a
      .http()
      .get('/api/v2/websocket/connections/unknown-socket')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(404);
    await a.http().get('/api/v2/websocket/connections').set(apiKey(viewerKey)).expect(403);

    const gone = new Promise((resolveGone) => onB.socket.once('disconnect', resolveGone));
    await a
      .http()
      .delete(`/api/v2/websocket/connections/${onB.id}`)
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(204);
    await gone;
  });

  it('relays room_message to the other members only, and keeps it for replay', async () => {
    const sender = await connect(a);
    const other = await connect(b);
    await sender.ack('join_room', { room: 'room:chat' });
    await other.ack('join_room', { room: 'room:chat' });
    const reply = await sender.ack('room_message', { room: 'room:chat', data: { text: 'hi' } });
    expect(reply).toMatchObject({ ok: true, event_id: expect.any(String) });
    const received = await other.waitFor(
      'room_message',
      (envelope) => envelope.data?.data?.text === 'hi',
    );
    expect(received.id).toBe(reply.event_id);
    await sleep(300);
    expect(sender.events('room_message')).toHaveLength(0);

    const replay = await other.ack('replay', {
      room: 'room:chat',
      after_id: String(BigInt(reply.event_id) - 1n),
    });
    expect(replay).toMatchObject({ ok: true, count: 1, last_id: reply.event_id });
    const replayed = await other.waitFor(
      'event_history',
      (envelope) => envelope.id === reply.event_id,
    );
    expect(replayed).toEqual(received);
  });

  it('disconnects a socket whose key is revoked', async () => {
    const key = await createApiKey(a.url, 'viewer');
    const socket = await connect(b, { token: key.key });
    const gone = new Promise((resolveGone) => socket.socket.once('disconnect', resolveGone));
    await a
      .http()
      .delete(`/api/v2/auth/api-keys/${key.id}`)
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(204);
    await gone;
  });

  it('reports statistics that match what happened', async () => {
    // No scheduled metrics snapshot in the window: its event would join the history.
    const fresh = await startTestApp(await createTestStores(), {
      METRICS_INTERVAL_SECONDS: '3600',
    });
    try {
      const first = await connectSocket(fresh.url, { token: TEST_ADMIN_KEY });
      const second = await connectSocket(fresh.url, { token: TEST_ADMIN_KEY });
      await first.ack('join_room', { room: 'room:stats' });
      await second.ack('join_room', { room: 'room:stats' });
      for (let i = 0; i < 3; i++) await first.ack('ping');
      await bus(fresh).publishAndWait('system.notification', {
        room: 'room:stats',
        data: { n: 1 },
      });
      await second.waitFor('system_notification');
      await sleep(1_200);
      const { body } = await fresh
        .http()
        .get('/api/v2/websocket/statistics')
        .set(apiKey(TEST_ADMIN_KEY))
        .expect(200);
      expect(body).toMatchObject({
        total_connections: 2,
        authenticated_connections: 2,
        total_rooms: 1,
        rooms: [{ name: 'room:stats', members_count: 2 }],
        event_history_size: 1,
        peak_connections: 2,
        instances: 1,
      });
      // 2 joins + 3 pings received; the notification sent to 2 members.
      expect(body.messages).toMatchObject({ received_last_minute: 5, sent_last_minute: 2 });
      first.close();
      second.close();
    } finally {
      await fresh.close();
    }
  });

  it('disconnects a socket whose JWT expires unless it re-authenticates', async () => {
    const short = await startTestApp(stores, { JWT_EXPIRES_IN: '3s' });
    try {
      const user = await createUser(short.url, 'viewer');
      const claims = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString());
      const expiring = await connectSocket(short.url, { token: user.token });
      const kept = await connectSocket(short.url, { token: user.token });
      // JWT times are whole seconds: a token issued in a later second expires later.
      await sleep(Math.max(0, (claims.iat + 1) * 1_000 - Date.now()));
      const fresh = await short
        .http()
        .post('/api/v2/auth/refresh')
        .set(bearer(user.token))
        .expect(200);
      expect(await kept.ack('reauth', { token: fresh.body.access_token })).toMatchObject({
        ok: true,
      });
      await expiring.waitFor(
        'system_notification',
        (payload) => payload.event === 'token_expired',
        claims.exp * 1_000 - Date.now() + 3_000,
      );
      await sleep(200);
      expect(expiring.socket.connected).toBe(false);
      expect(kept.socket.connected).toBe(true);
      kept.close();
    } finally {
      await short.close();
    }
  });
});

describe('real-time: reconnect without loss', () => {
  let stores: TestStores;
  let a: TestApp;
  let b: TestApp;
  const ROOMS = ['room:one', 'room:two', 'room:three'];
  const ALL_ROOMS = [...ROOMS, 'room:elsewhere'];

  beforeAll(async () => {
    stores = await createTestStores();
    a = await startTestApp(stores);
    b = await startTestApp(stores);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await stores?.drop();
    [a, b] = [undefined!, undefined!];
  });

  async function lastSeen(socket: TestSocket): Promise<string> {
    await bus(a).publishAndWait('system.notification', { room: ROOMS[0], data: { marker: true } });
    const marker = await socket.waitFor(
      'system_notification',
      (envelope) => envelope.data?.marker === true,
    );
    return marker.id as string;
  }

  function deliveredIds(socket: TestSocket): string[] {
    return socket.received
      .filter((entry) => entry.event === 'event_history' || entry.event === 'system_notification')
      .map((entry) => entry.payload.id as string);
  }

  it('replays exactly the missed events of its rooms, in order, then live ones', async () => {
    const first = await connectSocket(b.url, { token: TEST_ADMIN_KEY, rooms: ROOMS });
    const lastId = await lastSeen(first);
    first.close();

    await Promise.all([publishMany(a, 500, ALL_ROOMS, 'a'), publishMany(b, 500, ALL_ROOMS, 'b')]);

    // Reconnect while events keep arriving.
    const live = publishMany(a, 200, ALL_ROOMS, 'live');
    const again = await connectSocket(b.url, {
      token: TEST_ADMIN_KEY,
      rooms: ROOMS,
      lastEventId: lastId,
    });
    await live;
    const expected = await historyIds(a, ROOMS, lastId);
    await again.waitFor(
      'system_notification',
      (envelope) => envelope.id === expected[expected.length - 1],
      10_000,
    );
    await sleep(200);

    const ids = deliveredIds(again);
    assertStrictlyIncreasing(ids);
    expect(ids).toEqual(expected);
    expect(again.events('event_history').length).toBeGreaterThanOrEqual(750);
    again.close();
  });

  it('delivers live events as the history stores them: large ones, and past the gap a rolled-back append leaves', async () => {
    const socket = await connectSocket(b.url, { token: TEST_ADMIN_KEY, rooms: ROOMS });
    const start = await lastSeen(socket);
    const client = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await client.connect();
    // Batches of small events, and one of 20 kB.
    await publishMany(a, 20, ROOMS, 'small');
    await bus(a).publishAndWait('system.notification', {
      room: ROOMS[1],
      data: { tag: 'large', text: 'x'.repeat(20_000) },
    });
    // An append rolled back leaves a gap in the ids, and no notification.
    await client.query('BEGIN');
    await client.query(
      `SELECT id FROM append_events(72061003, 'subforge_events', ARRAY['system_notification'],
         ARRAY['["room:one"]'::jsonb], ARRAY['{"rolled": "back"}'::jsonb])`,
    );
    await client.query('ROLLBACK');
    await client.end();
    await publishMany(b, 20, ROOMS, 'after');
    const history = await a
      .http()
      .get('/api/v2/websocket/event-history')
      .query({ after_id: start, limit: 1000 })
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    const expected = (history.body.events as { id: string; rooms: string[] }[]).filter((event) =>
      event.rooms.some((room) => ROOMS.includes(room)),
    );
    expect(expected).toHaveLength(41);
    await socket.waitFor('system_notification', (event) => event.id === expected.at(-1)!.id);
    const live = socket
      .events('system_notification')
      .filter((event) => BigInt(event.id as string) > BigInt(start));
    // The same envelopes, to the field (times included), in id order, none skipped.
    expect(live).toEqual(expected);
    socket.close();
  });

  it('gives the same result when the server restarts in the middle', async () => {
    const first = await connectSocket(b.url, { token: TEST_ADMIN_KEY, rooms: ROOMS });
    const lastId = await lastSeen(first);
    first.close();

    await Promise.all([
      publishMany(a, 300, ALL_ROOMS, 'before'),
      publishMany(b, 300, ALL_ROOMS, 'before-b'),
    ]);
    await b.close();
    await publishMany(a, 300, ALL_ROOMS, 'during');
    b = await startTestApp(stores);
    await publishMany(a, 100, ALL_ROOMS, 'after');

    const again = await connectSocket(b.url, {
      token: TEST_ADMIN_KEY,
      rooms: ROOMS,
      lastEventId: lastId,
    });
    const expected = await historyIds(a, ROOMS, lastId);
    await again.waitFor(
      'event_history',
      (envelope) => envelope.id === expected[expected.length - 1],
      10_000,
    );
    await sleep(200);
    const ids = deliveredIds(again);
    assertStrictlyIncreasing(ids);
    expect(ids).toEqual(expected);
    again.close();
  });

  it('never lets a reader skip an event committed late by a slower writer', async () => {
    const client = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await client.connect();
    const seen: string[] = [];
    let after = (await historyIds(a, ALL_ROOMS, '0')).at(-1) ?? '0';
    const start = after;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        // Only this test's rooms: background events (metrics, jobs) are not its subject.
        const { rows } = await client.query<{ id: string }>(
          'SELECT id::text FROM events WHERE id > $1 AND rooms && $2::text[] ORDER BY id',
          [after, ALL_ROOMS],
        );
        for (const row of rows) seen.push(row.id);
        if (rows.length) after = rows[rows.length - 1].id;
        await sleep(2);
      }
    })();
    // A slow writer: holds its transaction open after drawing an id, while others append.
    const slow = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await slow.connect();
    const slowWrite = (async () => {
      await slow.query('BEGIN');
      await slow.query('SELECT pg_advisory_xact_lock(72061003)');
      await slow.query(
        `INSERT INTO events (id, type, rooms, data) VALUES (nextval('events_id_seq'), 'system_notification', '{room:one}', '{"slow": true}')`,
      );
      await sleep(300);
      await slow.query('COMMIT');
    })();
    await Promise.all([
      slowWrite,
      publishMany(a, 50, ROOMS, 'fast-a'),
      publishMany(b, 50, ROOMS, 'fast-b'),
    ]);
    await sleep(100);
    polling = false;
    await poller;
    await client.end();
    await slow.end();
    const all = await historyIds(a, ALL_ROOMS, start);
    expect(seen).toEqual(all);
    expect(all).toHaveLength(101);
  });
});
