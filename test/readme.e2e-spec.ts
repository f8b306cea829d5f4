import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';

/**
 * Routes outside the OpenAPI document that the README may name: Swagger itself, the socket
 * documents and console, the probes, Prometheus, the queue board, and the Socket.IO endpoint
 * and namespaces.
 */
const NON_API_ROUTES = [
  '/',
  '/docs',
  '/docs-json',
  '/docs/asyncapi.json',
  '/docs/asyncapi.yaml',
  '/docs/socket',
  '/health',
  '/health/ready',
  '/metrics',
  '/admin/queues',
  '/socket.io',
];
/** Socket.IO namespaces, and the plain WebSocket endpoints (answering upgrades only). */
const SOCKET_NAMESPACES = ['/', '/v2', '/ws', '/ws/v2'];

/** `/api/v2/tasks/{id}` and `/api/v2/tasks/{task_id}` are the same route. */
const shape = (path: string) =>
  path
    .replace(/\{[^}]+\}/g, '{}')
    .replace(/\/+$/, '')
    .toLowerCase() || '/';

/** Every route the README names (`/api/v2/auth/login`, or a fragment like `/me`), by line. */
function readmeRoutes(text: string): { line: number; written: string; path: string }[] {
  const found: { line: number; written: string; path: string }[] = [];
  text.split('\n').forEach((content, index) => {
    for (const match of content.matchAll(/`(?:(?:GET|POST|PUT|PATCH|DELETE) )?(\/[^`\s]*)`/g))
      found.push({ line: index + 1, written: match[0], path: match[1].replace(/\?.*$/, '') });
  });
  return found;
}

describe('the README', () => {
  let stores: TestStores;
  let app: TestApp;
  let paths: string[];

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
    const document = (await app.http().get('/docs-json').expect(200)).body;
    paths = Object.keys(document.paths).map(shape);
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  function exists(candidate: string): boolean {
    const wanted = shape(candidate);
    if (wanted.endsWith('/*')) {
      const prefix = wanted.slice(0, -1);
      return paths.some((path) => path.startsWith(prefix));
    }
    return (
      paths.includes(wanted) ||
      // A route named by its collection (`/api/v2/files`) has operations below it.
      paths.some((path) => path.startsWith(`${wanted}/`)) ||
      NON_API_ROUTES.map(shape).includes(wanted) ||
      SOCKET_NAMESPACES.includes(wanted)
    );
  }

  it('names only routes that exist', () => {
    const routes = readmeRoutes(readFileSync('README.md', 'utf8'));
    expect(routes.length).toBeGreaterThan(40);
    const missing: string[] = [];
    let line = 0;
    let previous: string | null = null;
    for (const route of routes) {
      if (route.line !== line) [line, previous] = [route.line, null];
      // A fragment continues the route named before it on its line, below one of its segments.
      const candidates = [route.path];
      if (previous) {
        const parts = previous.split('/');
        for (let cut = parts.length; cut >= 3; cut--)
          candidates.push(parts.slice(0, cut).join('/') + route.path);
      }
      const resolved = candidates.find(exists);
      if (!resolved) missing.push(`README.md:${route.line} ${route.written}`);
      else if (resolved.startsWith('/api/')) previous = resolved.replace(/\/\*$/, '');
    }
    expect(missing).toEqual([]);
  });

  it('lists non-API routes that answer', async () => {
    for (const route of NON_API_ROUTES.filter((path) => path !== '/socket.io')) {
      const response = await app.http().get(route).set('X-API-Key', TEST_ADMIN_KEY);
      expect(response.status, route).not.toBe(404);
    }
    await app.http().get('/socket.io/?EIO=4&transport=polling').expect(200);
  });
});
