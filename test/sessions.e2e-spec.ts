import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, bearer, createApiKey, createUser } from './support/identities.js';
import { connectSocket } from './support/socket.js';

/** Polls `GET /auth/me` on `url` until it stops answering 200; gives the status seen. */
async function statusWithinOneSecond(url: string, token: string): Promise<number> {
  const deadline = Date.now() + 1_000;
  let status = 200;
  while (Date.now() < deadline && status === 200)
    status = (await request(url).get('/api/v2/auth/me').set(bearer(token))).status;
  return status;
}

function claims(token: string): { exp: number; sat: number } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

describe('sign-in sessions end on every instance', () => {
  let stores: TestStores;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    a = await startTestApp(stores);
    b = await startTestApp(stores);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await stores?.drop();
  });

  it('logout-all on A ends the tokens and sockets on B; API keys and a new sign-in still work', async () => {
    const user = await createUser(a.url, 'viewer');
    const second = await a
      .http()
      .post('/api/v2/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    const key = await createApiKey(a.url, 'viewer');
    await b.http().get('/api/v2/auth/me').set(bearer(user.token)).expect(200); // cached on B
    const socket = await connectSocket(b.url, { token: second.body.access_token });
    try {
      await a.http().post('/api/v2/auth/logout-all').set(bearer(user.token)).expect(204);
      expect(await statusWithinOneSecond(b.url, user.token)).toBe(401);
      expect(await statusWithinOneSecond(b.url, second.body.access_token)).toBe(401);
      await a.http().post('/api/v2/auth/refresh').set(bearer(user.token)).expect(401);
      await socket.waitFor('system_notification', (p) => p.event === 'disconnected', 1_000);
      await b.http().get('/api/v2/auth/me').set(apiKey(key.key)).expect(200);
      await a.http().post('/api/v2/auth/logout-all').set(apiKey(key.key)).expect(401);

      const again = await b
        .http()
        .post('/api/v2/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(200);
      await a.http().get('/api/v2/auth/me').set(bearer(again.body.access_token)).expect(200);
    } finally {
      socket.close();
    }
  });

  it.each([
    ['a new password', { password: 'another-password-123' }],
    ['a new role', { role: 'operator' }],
  ])('%s set on A ends the sessions on B', async (_change, patch) => {
    const user = await createUser(a.url, 'viewer');
    await b.http().get('/api/v2/auth/me').set(bearer(user.token)).expect(200);
    const socket = await connectSocket(b.url, { token: user.token });
    try {
      await a
        .http()
        .patch(`/api/v2/users/${user.id}`)
        .set(apiKey(TEST_ADMIN_KEY))
        .send(patch)
        .expect(200);
      expect(await statusWithinOneSecond(b.url, user.token)).toBe(401);
      await socket.waitFor('system_notification', (p) => p.event === 'disconnected', 1_000);
    } finally {
      socket.close();
    }
  });

  it('a new display name ends nothing', async () => {
    const user = await createUser(a.url, 'viewer');
    await a
      .http()
      .patch(`/api/v2/users/${user.id}`)
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ display_name: 'renamed' })
      .expect(200);
    await b.http().get('/api/v2/auth/me').set(bearer(user.token)).expect(200);
  });
});

describe('JWT_MAX_SESSION', () => {
  let stores: TestStores;
  let app: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { JWT_MAX_SESSION: '4s' });
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  it('refresh never extends a session past JWT_MAX_SESSION from the sign-in', async () => {
    const user = await createUser(app.url, 'viewer');
    const signedIn = claims(user.token);
    expect(signedIn.exp - signedIn.sat).toBeLessThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const refreshed = await app
      .http()
      .post('/api/v2/auth/refresh')
      .set(bearer(user.token))
      .expect(200);
    const fresh = claims(refreshed.body.access_token);
    expect(fresh.sat).toBe(signedIn.sat);
    expect(fresh.exp).toBeLessThanOrEqual(signedIn.sat + 4);
    expect(refreshed.body.expires_in).toBeLessThan(4);
  });
});
