import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { buildCases } from './support/fuzz/cases.js';
import {
  listOperations,
  OpenApiDocument,
  Operation,
  resolveSchema,
  sampleValue,
  Schema,
} from './support/fuzz/openapi.js';
import { Random } from './support/fuzz/random.js';
import { toJson } from './support/fuzz/values.js';
import { apiKey } from './support/identities.js';
import { RawClient, RawResponse } from './support/raw-client.js';

/**
 * Sequences: create something (well-formed, or with one field dropped or broken, which
 * the server may still accept), then act on what was created with every operation of
 * its resource (execute, start, retry, cancel, pause, update, delete...), twice, so that
 * stored state the single-request fuzzer never reaches is exercised. Never a 5xx.
 * Reproduce with FUZZ_SEED=<seed> npx vitest run test/fuzz-sequences.e2e-spec.ts
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);
/** Properties left out one at a time, per create operation. */
const MAX_DROPS = Number(process.env.FUZZ_DROPS ?? 40);
/** Ids of one resource acted upon (the newest accepted creations). */
const IDS_PER_RESOURCE = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const resourceOf = (path: string) => /^\/api\/v\d\/([a-z-]+)/.exec(path)?.[1] ?? '';
const pathParams = (operation: Operation) => operation.parameters.filter((p) => p.in === 'path');
const isIdParam = (name: string) => /(^|_)id$/.test(name);

/** The ids a 2xx answer names at its top level (`id`, `run_id`, `execution_id`, ...). */
function idsIn(response: RawResponse): string[] {
  const body = response.json;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.entries(body)
    .filter(([name, value]) => isIdParam(name) && typeof value === 'string' && UUID.test(value))
    .map(([, value]) => value as string);
}

/**
 * Valid bodies the sampler rarely finds by chance (graph rules across fields): the
 * corpus that the one-property-missing pass starts from, next to the random samples.
 */
const step = (key: string, extra: object = {}) => ({
  key,
  name: `Step ${key}`,
  agent_type: 'fuzz',
  task_template: { title: `Do ${key}`, priority: 'high' },
  ...extra,
});
const CORPUS: Record<string, unknown[]> = {
  '/api/v2/workflows': [
    {
      name: 'corpus',
      failure_policy: 'continue',
      steps: [step('a'), step('b', { depends_on: ['a'] })],
    },
  ],
  '/api/v1/workflows': [
    { name: 'corpus v1', steps: [step('a'), step('b', { depends_on: ['a'] })] },
  ],
  '/api/v2/tasks': [{ title: 'corpus', priority: 'low', metadata: { a: 1 } }],
  '/api/v2/agents': [{ name: 'corpus', agent_type: 'fuzz', capabilities: ['x'] }],
};

interface Place {
  path: (string | number)[];
  /** The schema of the object holding it lists it as required. */
  required: boolean;
}

/** Every property of a body, nested ones too, and whether the document requires it. */
function places(
  document: OpenApiDocument,
  schema: Schema,
  value: unknown,
  prefix: (string | number)[] = [],
  out: Place[] = [],
): Place[] {
  const resolved = resolveSchema(document, schema);
  if (Array.isArray(value)) {
    value.forEach((item, index) =>
      places(document, resolved.items ?? {}, item, [...prefix, index], out),
    );
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push({ path: [...prefix, key], required: !!resolved.required?.includes(key) });
      places(document, resolved.properties?.[key] ?? {}, item, [...prefix, key], out);
    }
  }
  return out;
}

function without(value: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  if (Array.isArray(node)) node.splice(path[path.length - 1] as number, 1);
  else delete node[path[path.length - 1]];
  return copy;
}

describe('fuzzing sequences: create, then act on what was created', () => {
  let stores: TestStores;
  let app: TestApp;
  let client: RawClient;
  let document: OpenApiDocument;
  let operations: Operation[];
  const admin = apiKey(TEST_ADMIN_KEY);
  const pools = new Map<string, string[]>();
  const findings: string[] = [];
  const totals = { requests: 0, created: 0, byStatus: {} as Record<number, number> };

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, {
      AGENT_OFFLINE_AFTER_SECONDS: '86400',
      METRICS_INTERVAL_SECONDS: '86400',
      RATE_LIMIT_BULK: '100000',
      RATE_LIMIT_UPLOAD: '100000',
      RATE_LIMIT_BROADCAST: '100000',
      RATE_LIMIT_REPLAY: '100000',
      RATE_LIMIT_CLEANUP: '100000',
    });
    client = new RawClient(app.url);
    document = (await app.http().get('/docs-json').expect(200)).body;
    operations = listOperations(document).filter(
      // Restores and backups replace or copy the whole store: not per resource.
      (operation) => !/\/system\/backup/.test(operation.path),
    );
  });

  afterAll(async () => {
    console.log(
      `fuzz sequences: seed ${SEED}, ${totals.requests} requests, ${totals.created} creations ` +
        `accepted, statuses ${JSON.stringify(totals.byStatus)}`,
    );
    client?.close();
    await app?.close();
    await stores?.drop();
  });

  async function send(
    label: string,
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    const response = await client.send({
      method,
      url,
      headers: {
        ...admin,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body:
        body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(toJson(body)),
      timeoutMs: 30_000,
    });
    totals.requests++;
    totals.byStatus[response.status] = (totals.byStatus[response.status] ?? 0) + 1;
    const shaped =
      response.status < 400 ||
      (response.json?.status_code === response.status &&
        typeof response.json?.message === 'string');
    if (response.status >= 500 || !shaped)
      findings.push(
        `${label}: ${method} ${url.slice(0, 160)} -> ${response.status} ${response.text.slice(0, 300)}`,
      );
    return response;
  }

  function remember(resource: string, ids: string[]): void {
    const pool = pools.get(resource) ?? [];
    pool.unshift(...ids.filter((id) => !pool.includes(id)));
    pools.set(resource, pool.slice(0, IDS_PER_RESOURCE));
  }

  /**
   * Creates with well-formed bodies, then with the fullest sample missing one property
   * at a time (nested ones too: a step's task_template), then with malformed bodies.
   * Accepting a body without a property the document requires is a finding itself.
   */
  async function create(operation: Operation): Promise<void> {
    const random = new Random(SEED).fork(`create ${operation.path}`);
    const schema = operation.body!.schema;
    const uuid = () => random.uuid();
    const resource = resourceOf(operation.path);
    const accepted = (response: RawResponse) => {
      if (response.status >= 300) return false;
      totals.created++;
      remember(resource, idsIn(response));
      return true;
    };
    const samples = Array.from({ length: 8 }, () => sampleValue(document, schema, random, uuid));
    for (const body of samples.slice(0, 2))
      accepted(await send('well-formed', 'POST', operation.path, body));
    const fullest = samples
      .map((body) => ({ body, places: places(document, schema, body) }))
      .sort((a, b) => b.places.length - a.places.length)[0];
    const bases = [
      ...(CORPUS[operation.path] ?? []).map((body) => ({
        body,
        places: places(document, schema, body),
      })),
      fullest,
    ];
    for (const base of bases) {
      for (const place of base.places.slice(0, MAX_DROPS)) {
        const label = `without ${place.path.join('.')}`;
        const response = await send(label, 'POST', operation.path, without(base.body, place.path));
        if (accepted(response) && place.required && place.path.length > 1)
          findings.push(
            `${label}: POST ${operation.path} accepted a body without a required property`,
          );
      }
    }
    // And the single-request fuzzer's malformed bodies, some of which are accepted.
    for (const sent of buildCases(operation, { document, existingIds: () => [], uuid }, random, 8))
      accepted(await send(sent.label, sent.method, sent.url, sent.body, sent.headers));
  }

  /** A well-formed request to an operation on one created id. */
  async function act(operation: Operation, id: string, random: Random): Promise<void> {
    const path = operation.path.replace(/\{([^}]+)\}/g, () => encodeURIComponent(id));
    const query = operation.parameters
      .filter((p) => p.in === 'query' && p.required)
      .map(
        (p) =>
          `${p.name}=${encodeURIComponent(String(sampleValue(document, p.schema, random, () => id)))}`,
      )
      .join('&');
    const body =
      operation.body?.contentType === 'application/json'
        ? sampleValue(document, operation.body.schema, random, () => random.uuid())
        : undefined;
    const response = await send('act', operation.method, query ? `${path}?${query}` : path, body);
    if (response.status < 300) remember(resourceOf(operation.path), idsIn(response));
  }

  it(
    'answers every sequence without a 5xx, in the contract error shape',
    { timeout: 300_000 },
    async () => {
      const creates = operations.filter(
        (operation) =>
          operation.method === 'POST' &&
          !pathParams(operation).length &&
          operation.body?.contentType === 'application/json',
      );
      for (const operation of creates) await create(operation);

      const actions = operations.filter(
        (operation) =>
          pathParams(operation).length === 1 && isIdParam(pathParams(operation)[0].name),
      );
      // Deletes last: every other action first meets the created state, then its results.
      const ordered = [
        ...actions.filter((operation) => operation.method !== 'DELETE'),
        ...actions.filter((operation) => operation.method !== 'DELETE'),
        ...actions.filter((operation) => operation.method === 'DELETE'),
      ];
      for (const operation of ordered) {
        const random = new Random(SEED).fork(`act ${operation.method} ${operation.path}`);
        const ids = [...(pools.get(resourceOf(operation.path)) ?? [])];
        for (const id of ids) await act(operation, id, random);
      }

      expect(findings.slice(0, 25), findings.join('\n')).toEqual([]);
      expect(totals.created).toBeGreaterThan(creates.length);
      await app.http().get('/health').expect(200);
    },
  );
});
