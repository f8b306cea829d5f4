import { createHmac } from 'node:crypto';
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
import { apiKey, bearer, createApiKey, createUser } from './support/identities.js';

/** The contract's public operations; every other one needs a credential. */
const PUBLIC_OPERATIONS = new Set([
  'GET /',
  'GET /health',
  'GET /health/ready',
  'POST /api/v2/auth/login',
]);
const SAMPLE_UUID = '00000000-0000-4000-8000-000000000000';

function signJwt(payload: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('identity and access', () => {
  let stores: TestStores;
  let app: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  it('refuses every non-public operation of the OpenAPI document without a credential', async () => {
    const { body: document } = await app.http().get('/docs-json').expect(200);
    let checked = 0;
    for (const [path, operations] of Object.entries<Record<string, unknown>>(document.paths)) {
      for (const method of Object.keys(operations)) {
        const operation = `${method.toUpperCase()} ${path}`;
        const concrete = path.replace(/\{[^}]+\}/g, (param) =>
          /name|key/.test(param) ? 'sample' : SAMPLE_UUID,
        );
        const response = await request(app.url)[method as 'get'](concrete).send({});
        if (PUBLIC_OPERATIONS.has(operation)) {
          expect(response.status, operation).not.toBe(401);
        } else {
          expect(response.status, operation).toBe(401);
          expect(response.headers['www-authenticate'], operation).toBe('Bearer');
          expect(response.body.status_code, operation).toBe(401);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8);
  });

  it('signs in, answers me, refreshes, and refuses tampered and expired tokens', async () => {
    const user = await createUser(app.url, 'operator');
    const me = await app.http().get('/api/v2/auth/me').set(bearer(user.token)).expect(200);
    expect(me.body).toMatchObject({ kind: 'user', role: 'operator', email: user.email });

    const refreshed = await app
      .http()
      .post('/api/v2/auth/refresh')
      .set(bearer(user.token))
      .expect(200);
    expect(refreshed.body).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
    await app.http().get('/api/v2/auth/me').set(bearer(refreshed.body.access_token)).expect(200);

    const [head, payload, signature] = user.token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        role: 'admin',
      }),
    ).toString('base64url');
    await app
      .http()
      .get('/api/v2/auth/me')
      .set(bearer(`${head}.${forged}.${signature}`))
      .expect(401);

    const expired = signJwt(
      {
        sub: user.id,
        role: 'operator',
        typ: 'access',
        iat: 1,
        exp: Math.floor(Date.now() / 1000) - 5,
      },
      app.env.JWT_SECRET!,
    );
    await app.http().get('/api/v2/auth/me').set(bearer(expired)).expect(401);

    await app
      .http()
      .post('/api/v2/auth/login')
      .send({ email: user.email, password: 'wrong-password' })
      .expect(401);
  });

  it('enforces roles: viewer cannot change, operator cannot administer, admin can', async () => {
    const viewer = await createApiKey(app.url, 'viewer');
    const operator = await createUser(app.url, 'operator');
    await app.http().get('/api/v2/auth/me').set(apiKey(viewer.key)).expect(200);
    const refused = await app
      .http()
      .post('/api/v2/users')
      .set(apiKey(viewer.key))
      .send({})
      .expect(403);
    expect(refused.body.message).toMatch(/admin/);
    await app.http().get('/api/v2/users').set(bearer(operator.token)).expect(403);
    await app.http().get('/api/v2/auth/api-keys').set(bearer(operator.token)).expect(403);
    await app.http().get('/api/v2/users').set(apiKey(TEST_ADMIN_KEY)).expect(200);
  });

  it('stops sign-in after repeated failures for one email', async () => {
    const user = await createUser(app.url, 'viewer');
    for (let attempt = 0; attempt < 5; attempt++) {
      await app
        .http()
        .post('/api/v2/auth/login')
        .send({ email: user.email, password: 'nope-nope' })
        .expect(401);
    }
    const locked = await app
      .http()
      .post('/api/v2/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('deactivating a user invalidates their token at once', async () => {
    const user = await createUser(app.url, 'viewer');
    await app.http().get('/api/v2/auth/me').set(bearer(user.token)).expect(200);
    await app
      .http()
      .patch(`/api/v2/users/${user.id}`)
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ is_active: false })
      .expect(200);
    await app.http().get('/api/v2/auth/me').set(bearer(user.token)).expect(401);
  });

  it('never returns password hashes and shows a key only at creation', async () => {
    const users = await app.http().get('/api/v2/users').set(apiKey(TEST_ADMIN_KEY)).expect(200);
    expect(JSON.stringify(users.body)).not.toMatch(/password|scrypt/);
    const created = await createApiKey(app.url, 'viewer');
    const keys = await app
      .http()
      .get('/api/v2/auth/api-keys')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    expect(JSON.stringify(keys.body)).not.toContain(created.key);
    expect(keys.body.meta).toMatchObject({ skip: 0, limit: 50 });
    expect(keys.headers['x-total-count']).toBe(String(keys.body.meta.total));
    expect(keys.body.data.find((key: { id: string }) => key.id === created.id).prefix).toBe(
      created.key.slice(0, 10),
    );
  });

  it('refuses agent keys without an existing agent', async () => {
    const response = await app
      .http()
      .post('/api/v2/auth/api-keys')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ name: 'agent', role: 'agent' })
      .expect(400);
    expect(response.body.details[0].field).toBe('agent_id');
  });
});

describe('across two instances', () => {
  let stores: TestStores;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    a = await startTestApp(stores, { RATE_LIMIT_WRITE: '3' });
    b = await startTestApp(stores, { RATE_LIMIT_WRITE: '3' });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await stores?.drop();
  });

  it('a key revoked on A is refused by B within one second', async () => {
    const key = await createApiKey(a.url, 'viewer');
    await b.http().get('/api/v2/auth/me').set(apiKey(key.key)).expect(200); // now cached on B
    await a
      .http()
      .delete(`/api/v2/auth/api-keys/${key.id}`)
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(204);
    const deadline = Date.now() + 1_000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await b.http().get('/api/v2/auth/me').set(apiKey(key.key))).status;
    }
    expect(status).toBe(401);
  });

  it('exhausting a limit on A gives 429 with Retry-After on B', async () => {
    const user = await createUser(a.url, 'viewer');
    for (let i = 0; i < 3; i++) {
      const response = await a.http().post('/api/v2/auth/refresh').set(bearer(user.token));
      expect(response.status).toBe(200);
      expect(Number(response.headers['x-ratelimit-remaining'])).toBe(2 - i);
    }
    const limited = await b.http().post('/api/v2/auth/refresh').set(bearer(user.token)).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
    expect(limited.body.status_code).toBe(429);
  });

  it('reads its own writes through the cache on every instance', async () => {
    const first = await a.http().get('/api/v2/users').set(apiKey(TEST_ADMIN_KEY)).expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await a.http().get('/api/v2/users').set(apiKey(TEST_ADMIN_KEY)).expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    // A hit carries the ETag and page headers of the answer it was stored from.
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['x-total-count']).toBe(first.headers['x-total-count']);
    const created = await createUser(b.url, 'viewer');
    const after = await a.http().get('/api/v2/users').set(apiKey(TEST_ADMIN_KEY)).expect(200);
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.body.data.map((user: { id: string }) => user.id)).toContain(created.id);
    expect(after.headers['x-total-count']).toBe(String(after.body.meta.total));
  });
});

describe('secrets in logs', () => {
  it('never writes passwords, keys or tokens to the log', async () => {
    const stores = await createTestStores();
    const service = await spawnService({ ...stores.env, LOG_LEVEL: 'verbose' });
    try {
      const user = await createUser(service.url, 'operator');
      const key = await createApiKey(service.url, 'viewer');
      await request(service.url).get('/api/v2/auth/me').set(bearer(user.token)).expect(200);
      await request(service.url).get('/api/v2/auth/me?token=x').set(apiKey(key.key)).expect(200);
      await request(service.url)
        .post('/api/v2/auth/login')
        .send({ email: user.email, password: 'bad-password-123' })
        .expect(401);
      await new Promise((resolveWait) => setTimeout(resolveWait, 300));
      const output = service.output();
      expect(output).toContain('/api/v2/auth/me');
      for (const secret of [
        user.password,
        user.token,
        key.key,
        TEST_ADMIN_KEY,
        'bad-password-123',
        stores.env.JWT_SECRET ?? 'unused-secret',
      ]) {
        expect(output).not.toContain(secret);
      }
    } finally {
      await service.stop();
      await stores.drop();
    }
  });
});
