import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStores, startTestApp, TestApp, TestStores } from './support/app.js';

function expectErrorShape(body: Record<string, unknown>, status: number) {
  expect(body).toMatchObject({
    status_code: status,
    error: expect.any(String),
    message: expect.any(String),
  });
  expect(body.request_id).toEqual(expect.any(String));
}

describe('HTTP platform', () => {
  let stores: TestStores;
  let app: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { BODY_LIMIT: '1kb' });
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  it('answers liveness and readiness', async () => {
    const live = await app.http().get('/health').expect(200);
    expect(live.body.status).toBe('ok');
    const ready = await app.http().get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
    });
  });

  it('describes itself at /', async () => {
    const { body } = await app.http().get('/').expect(200);
    expect(body.api_versions.map((v: { base_url: string }) => v.base_url)).toEqual([
      '/api/v1',
      '/api/v2',
    ]);
    expect(body.socketio.namespaces).toEqual(['/', '/v2']);
    expect(body.docs_url).toBe('/docs');
  });

  it('serves Swagger UI and a valid OpenAPI 3 document with both security schemes', async () => {
    const ui = await app.http().get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const { body } = await app.http().get('/docs-json').expect(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(body.info.title).toBe('SubForge Dashboard API');
    expect(Object.keys(body.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearer', 'api-key']),
    );
    const operationIds: string[] = [];
    for (const operations of Object.values<Record<string, { operationId: string }>>(body.paths)) {
      for (const operation of Object.values(operations)) operationIds.push(operation.operationId);
    }
    expect(operationIds.every(Boolean)).toBe(true);
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('answers an unknown route with 404 in the error shape, inside /api and outside it', async () => {
    const { body } = await app.http().get('/api/v2/no-such-thing').expect(404);
    expectErrorShape(body, 404);
    for (const [method, path] of [
      ['get', '/nope'],
      ['post', '/nope/deeper'],
      ['delete', '/health/nope'],
      ['put', '/docs-json/x'],
    ] as const) {
      const outside = await app.http()[method](path).expect(404).expect('Content-Type', /json/);
      expectErrorShape(outside.body, 404);
      expect(outside.body.message).toBe(`Cannot ${method.toUpperCase()} ${path}`);
    }
    // A malformed body sent to no route is still the error shape.
    const malformed = await app
      .http()
      .post('/nope')
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expectErrorShape(malformed.body, 400);
  });

  it('answers malformed JSON with 400, never 500', async () => {
    const { body } = await app
      .http()
      .post('/api/v2/anything')
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expectErrorShape(body, 400);
    expect(body.message).toMatch(/JSON/);
  });

  it('answers a body over BODY_LIMIT with 413', async () => {
    const { body } = await app
      .http()
      .post('/api/v2/anything')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ blob: 'x'.repeat(4096) }))
      .expect(413);
    expectErrorShape(body, 413);
  });

  it('echoes a client request id and generates one otherwise', async () => {
    const echoed = await app
      .http()
      .get('/api/v2/missing')
      .set('X-Request-Id', 'trace-abc-123')
      .expect(404);
    expect(echoed.headers['x-request-id']).toBe('trace-abc-123');
    expect(echoed.body.request_id).toBe('trace-abc-123');
    const generated = await app.http().get('/health');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const allowed = await app
      .http()
      .options('/api/v2/agents')
      .set('Origin', 'http://localhost:3001')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3001');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/content-type/i);
    const refused = await app
      .http()
      .options('/api/v2/agents')
      .set('Origin', 'http://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
