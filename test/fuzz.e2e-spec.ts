import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { AgentViews } from '../src/agents/agent-views.service.js';
import { EventBus } from '../src/realtime/event-bus.service.js';
import { TaskCommands } from '../src/tasks/task-commands.service.js';
import {
  buildCases,
  buildNullCases,
  CaseSource,
  FuzzCase,
  isDestructive,
} from './support/fuzz/cases.js';
import { ChangeLog } from './support/fuzz/change-log.js';
import { listOperations, OpenApiDocument, Operation, Parameter } from './support/fuzz/openapi.js';
import { Random } from './support/fuzz/random.js';
import { apiKey, bearer, createApiKey, createUser } from './support/identities.js';
import { filesForm } from './support/multipart.js';
import { RawClient, RawResponse } from './support/raw-client.js';

/**
 * Every operation of /docs-json, as every role, with malformed input: never a 5xx,
 * always the contract's error shape, never a row changed by a refused request.
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx vitest run test/fuzz.e2e-spec.ts
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_125);
/** Requests per operation and role, fewer when the role may not use it (FUZZ_CASES to go deeper). */
const CASES = Number(process.env.FUZZ_CASES ?? 40);
/** Requests between two looks at the change log; when all were refused, it must not have grown. */
const BATCH = 16;

type Role = 'viewer' | 'operator' | 'admin' | 'agent';
const ROLES: Role[] = ['viewer', 'operator', 'admin', 'agent'];
const RANK: Record<string, number> = { viewer: 1, operator: 2, admin: 3 };

interface Finding {
  role: Role;
  operation: string;
  label: string;
  request: string;
  status: number;
  problem: string;
  body: string;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let stores: TestStores;
  let app: TestApp;
  let client: RawClient;
  let changes: ChangeLog;
  let document: OpenApiDocument;
  let operations: Operation[];
  const headers = {} as Record<Role, Record<string, string>>;
  const ids: Record<string, string[]> = {};
  const findings: Finding[] = [];
  const totals = {
    requests: 0,
    refused: 0,
    accepted: 0,
    checkedBatches: 0,
    skipped: 0,
    byStatus: {} as Record<number, number>,
  };

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, {
      // No worker here: nothing runs jobs, so no row moves unless a request moves it.
      ROLE: 'api',
      AGENT_OFFLINE_AFTER_SECONDS: '86400',
      METRICS_INTERVAL_SECONDS: '86400',
      // Small, so that bodies over the limit are cheap to send.
      BODY_LIMIT: '256kb',
      RATE_LIMIT_BULK: '100000',
      RATE_LIMIT_UPLOAD: '100000',
      RATE_LIMIT_BROADCAST: '100000',
      RATE_LIMIT_REPLAY: '100000',
      RATE_LIMIT_CLEANUP: '100000',
    });
    client = new RawClient(app.url);
    changes = await ChangeLog.install(stores.env.DATABASE_URL!);
    document = (await app.http().get('/docs-json').expect(200)).body;
    operations = listOperations(document);
    await seed();
  });

  afterAll(async () => {
    console.log(
      `fuzz: seed ${SEED}, ${operations?.length} operations, ${totals.requests} requests ` +
        `(${totals.refused} refused, ${totals.accepted} accepted; ${totals.skipped} not sent to roles ` +
        `the guard refuses), ${totals.checkedBatches} batches ` +
        `checked for unchanged rows; statuses ${JSON.stringify(totals.byStatus)}`,
    );
    client?.close();
    await changes?.close();
    await app?.close();
    await stores?.drop();
  });

  /** Identities of every role and a few rows of each kind for the ids in paths. */
  async function seed(): Promise<void> {
    const admin = apiKey(TEST_ADMIN_KEY);
    const agent = async (name: string) =>
      (
        await app
          .http()
          .post('/api/v2/agents')
          .set(admin)
          .send({ name, agent_type: 'fuzz' })
          .expect(201)
      ).body.id as string;
    const own = await agent('fuzz-own');
    const other = await agent('fuzz-other');
    const task = async (body: object) =>
      (await app.http().post('/api/v2/tasks').set(admin).send(body).expect(201)).body.id as string;
    const first = await task({ title: 'fuzz first', assigned_agent_id: own });
    const second = await task({ title: 'fuzz second', dependencies: [first] });
    const form = filesForm([{ filename: 'fuzz.txt', content: 'fuzz\n' }]);
    const upload = await app
      .http()
      .post('/api/v2/files/upload/data_files')
      .set(admin)
      .set('Content-Type', form.contentType)
      .send(form.body)
      .expect(201);
    const job = await app
      .http()
      .post('/api/v2/background-tasks')
      .set(admin)
      .send({ task_name: 'system.cleanup', parameters: { older_than_days: 365 } })
      .expect(201);
    const victim = await createUser(app.url, 'viewer');
    const workflow = await app
      .http()
      .post('/api/v2/workflows')
      .set(admin)
      .send({
        name: 'fuzz workflow',
        steps: [{ key: 'only', name: 'Only', task_template: { title: 'Only' } }],
      })
      .expect(201);

    headers.viewer = bearer((await createUser(app.url, 'viewer')).token);
    headers.operator = apiKey((await createApiKey(app.url, 'operator')).key);
    headers.admin = bearer((await createApiKey(app.url, 'admin')).key);
    headers.agent = apiKey((await createApiKey(app.url, 'agent', own)).key);

    ids.agents = [own, other];
    ids.tasks = [first, second];
    ids.files = [upload.body.files?.[0]?.id ?? upload.body.id].filter(Boolean);
    ids['background-tasks'] = [job.body.id];
    ids.users = [victim.id];
    ids.workflows = [workflow.body.id];
    ids.rooms = ['tasks', 'agents', 'room:fuzz', `agent:${own}`];
  }

  function existingIds(operation: Operation, parameter: Parameter): string[] {
    if (parameter.name === 'name' && operation.path.includes('/websocket/rooms/')) return ids.rooms;
    if (parameter.name !== 'id' && parameter.name !== 'dependency_id') return [];
    const resource = /\/api\/v\d\/([a-z-]+)\//.exec(operation.path)?.[1] ?? '';
    return ids[resource] ?? [];
  }

  function sourceFor(operation: Operation, random: Random): CaseSource {
    // Bulk bodies get only ids nobody has: a valid bulk delete of the seeded rows would
    // take away what the rest of the run uses.
    const pool = /bulk/.test(operation.path) ? [] : [...ids.agents, ...ids.tasks];
    return {
      document,
      existingIds: (op, parameter) => existingIds(op, parameter),
      uuid: () => (pool.length && random.chance(0.2) ? random.pick(pool) : random.uuid()),
    };
  }

  /** The deep health check says 503 here by design: this app runs no worker for the queues. */
  function expectedUnavailable(operation: Operation, response: RawResponse): boolean {
    return (
      operation.path === '/api/v2/system/health' &&
      response.status === 503 &&
      response.json?.details?.every((d: { field: string }) => d.field === 'queues')
    );
  }

  function inspect(role: Role, operation: Operation, sent: FuzzCase, response: RawResponse): void {
    totals.requests++;
    totals.byStatus[response.status] = (totals.byStatus[response.status] ?? 0) + 1;
    const problems: string[] = [];
    if (
      (response.status >= 500 && !expectedUnavailable(operation, response)) ||
      response.status < 200
    )
      problems.push('server error');
    if (response.status >= 400) {
      const body = response.json;
      const shaped =
        body &&
        body.status_code === response.status &&
        typeof body.error === 'string' &&
        typeof body.message === 'string' &&
        typeof body.request_id === 'string' &&
        body.request_id.length > 0;
      if (!shaped) problems.push('error body without the contract shape');
    }
    const required = RANK[operation.requiredRole ?? ''];
    if (role !== 'agent' && required && RANK[role] < required && response.status < 300)
      problems.push(`accepted for ${role} though it requires ${operation.requiredRole}`);
    for (const problem of problems)
      findings.push({
        role,
        operation: `${operation.method} ${operation.path}`,
        label: sent.label,
        request: `${sent.method} ${sent.url.slice(0, 200)}`,
        status: response.status,
        problem,
        body: response.text.slice(0, 300),
      });
  }

  async function fuzzOperation(role: Role, operation: Operation): Promise<void> {
    const random = new Random(SEED).fork(`${role} ${operation.method} ${operation.path}`);
    const cases = buildCases(operation, sourceFor(operation, random), random, CASES);
    let before = await settledPosition();
    for (let start = 0; start < cases.length; start += BATCH) {
      const batch = cases.slice(start, start + BATCH);
      const responses = await Promise.all(
        batch.map(async (sent) => {
          const response = await client.send({
            method: sent.method,
            url: sent.url,
            headers: { ...headers[role], ...sent.headers },
            body: sent.body,
          });
          inspect(role, operation, sent, response);
          return response;
        }),
      );
      const refused = responses.filter((r) => r.status >= 400).length;
      totals.refused += refused;
      totals.accepted += responses.length - refused;
      const after = await settledPosition();
      const changed = after === before ? [] : await changes.since(before);
      before = after;
      // Refused requests change nothing; neither does any read, refused or not.
      const checked = refused === responses.length || operation.method === 'GET';
      if (checked) totals.checkedBatches++;
      if (checked && changed.length)
        findings.push({
          role,
          operation: `${operation.method} ${operation.path}`,
          label: batch
            .map((c) => c.label)
            .join(' | ')
            .slice(0, 500),
          request: `${batch.length} requests, ${refused} refused`,
          status: 0,
          problem: `rows changed: ${changed.map((c) => `${c.operation} ${c.table_name} ${c.row_id ?? ''} ${c.detail ?? ''}`).join(', ')}`,
          body: '',
        });
      // A role the operation is not for is refused by the guard before any input is
      // read (the rest are malformed paths the router refuses first): one batch shows
      // it, more would exercise nothing new.
      const forbidden = responses.filter((r) => r.status === 403).length;
      if (refused === responses.length && forbidden * 2 >= responses.length) {
        totals.skipped += cases.length - start - batch.length;
        break;
      }
    }
  }

  /**
   * The change log once earlier requests' after-commit work has ended (listeners
   * that announce run progress) and their events are written (the bus writes them
   * in batches).
   */
  async function settledPosition(): Promise<string> {
    const service = app.service.app;
    const taskHooks = service.get(TaskCommands).subscribers;
    const agentHooks = service.get(AgentViews).available;
    // Each kind of subscriber may start the other's: until neither has work left.
    do {
      await taskHooks.settled();
      await agentHooks.settled();
    } while (!taskHooks.idle || !agentHooks.idle);
    await service.get(EventBus).flushed();
    return changes.position();
  }

  function report(role: Role): string {
    const mine = findings.filter((f) => f.role === role);
    return mine
      .slice(0, 25)
      .map((f) => `${f.operation}: ${f.problem}: ${f.status} ${f.request} [${f.label}] ${f.body}`)
      .join('\n');
  }

  for (const role of ROLES) {
    it(`refuses malformed input cleanly as ${role}`, { timeout: 240_000 }, async () => {
      for (const operation of operations) await fuzzOperation(role, operation);
      expect(findings.filter((f) => f.role === role).length, report(role)).toBe(0);
      await app.http().get('/health').expect(200);
    });
  }

  it(
    'refuses null for a body field the document does not mark nullable, and takes it where it does',
    { timeout: 240_000 },
    async () => {
      const problems: string[] = [];
      let sent = 0;
      for (const operation of operations) {
        const random = new Random(SEED).fork(`null ${operation.method} ${operation.path}`);
        for (const nulled of buildNullCases(operation, sourceFor(operation, random), random)) {
          const response = await client.send({
            method: nulled.method,
            url: nulled.url,
            headers: { ...headers.admin, ...nulled.headers },
            body: nulled.body,
          });
          sent++;
          const refusedForIt =
            response.status === 400 &&
            (response.json?.details ?? []).some(
              (detail: { field?: string }) => detail.field === nulled.field,
            );
          const wrong = nulled.nullable ? response.status >= 500 || refusedForIt : !refusedForIt;
          if (wrong)
            problems.push(
              `${operation.method} ${nulled.url} ${nulled.label} (${nulled.nullable ? 'nullable' : 'not nullable'}): ${response.status} ${response.text.slice(0, 200)}`,
            );
        }
      }
      console.log(`fuzz: ${sent} bodies with one field null`);
      expect(problems, problems.join('\n')).toEqual([]);
    },
  );

  it('answers malformed Cookie, Range, X-Request-Id and Authorization headers without a 5xx', async () => {
    const shapes: Record<string, string>[] = [
      { Cookie: 'subforge_board=%E0' },
      { Cookie: 'subforge_board=%' },
      { Cookie: '=;;=;subforge_board' },
      { Cookie: `subforge_board=${'a.'.repeat(2000)}` },
      { Cookie: 'subforge_board="unterminated' },
      { Range: 'bytes=abc' },
      { Range: 'bytes=10-5' },
      { Range: 'bytes=-' },
      { Range: `bytes=${'0-1,'.repeat(500)}0-1` },
      { Range: 'bytes=99999999999999999999-' },
      { Range: 'items=0-1' },
      { 'X-Request-Id': '' },
      { 'X-Request-Id': 'x'.repeat(5000) },
      { 'X-Request-Id': '%E0%80%00' },
      { 'X-Request-Id': '<script>alert(1)</script>' },
      { Authorization: 'Bearer' },
      { Authorization: 'Bearer ' },
      { Authorization: 'Bearer a.b.c' },
      { Authorization: 'Bearer %E0.%E0.%E0' },
      { Authorization: `Bearer ${'x'.repeat(10_000)}` },
      { Authorization: 'Basic dXNlcjpwYXNz' },
      { Authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
      { 'X-API-Key': '' },
      { 'X-API-Key': 'sf_%E0' },
    ];
    const paths = [
      '/admin/queues',
      '/api/v2/auth/me',
      '/api/v2/agents',
      '/api/v1/tasks',
      '/metrics',
      '/health',
      ...ids.files.map((id) => `/api/v2/files/${id}/download`),
    ];
    const problems: string[] = [];
    for (const path of paths) {
      for (const shape of shapes) {
        // Alone, and beside a valid credential (the malformed header must not win or break it).
        for (const credential of [{}, headers.admin]) {
          const sentHeaders = { ...credential, ...shape };
          const response = await client.send({ method: 'GET', url: path, headers: sentHeaders });
          if (response.status >= 500)
            problems.push(`${path} ${JSON.stringify(shape).slice(0, 80)}: ${response.status}`);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('leaves the process alive and ready', async () => {
    expect(operations.length).toBeGreaterThan(100);
    expect(operations.filter(isDestructive).length).toBeGreaterThan(5);
    // The triggers saw the accepted requests' changes: the check above was not vacuous.
    expect(Number(await changes.position())).toBeGreaterThan(100);
    await app.http().get('/health').expect(200);
    await app.http().get('/health/ready').expect(200);
  });
});
