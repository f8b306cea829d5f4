import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, createApiKey } from './support/identities.js';
import { connectSocket, TestSocket } from './support/socket.js';

describe('security: what a viewer, an operator or a stranger may do', () => {
  let stores: TestStores;
  let app: TestApp;
  let viewerKey: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
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
});
