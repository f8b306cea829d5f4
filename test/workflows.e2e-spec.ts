import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { pollUntil, sleep } from './support/poll.js';
import { DispatchRepository } from '../src/orchestration/dispatch.repository.js';
import { type AttentionCursor, RunStore } from '../src/workflows/run-store.js';
import { apiKey } from './support/identities.js';
import { runJob } from './support/jobs.js';
import { ScriptedAgent } from './support/scripted-agent.js';
import { connectSocket, TestSocket } from './support/socket.js';

const admin = apiKey(TEST_ADMIN_KEY);
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

interface StepSpec {
  key: string;
  depends_on?: string[];
  agent_type?: string;
  timeout_seconds?: number;
  max_retries?: number;
  [field: string]: unknown;
}

const step = (key: string, extra: Omit<StepSpec, 'key'> = {}) => ({
  key,
  name: `Step ${key}`,
  task_template: { title: `Do ${key}` },
  ...extra,
});

describe('workflows', () => {
  let stores: TestStores;
  let app: TestApp;
  let db: pg.Client;
  const agents: ScriptedAgent[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
    db = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const agent of agents) agent.disconnect();
    for (const socket of sockets) socket.close();
    await db?.end();
    await app?.close();
    await stores?.drop();
  });

  async function startAgent(options: Parameters<typeof ScriptedAgent.start>[1]) {
    const agent = await ScriptedAgent.start(app.url, options);
    agents.push(agent);
    return agent;
  }

  async function createWorkflow(steps: unknown[], extra: Record<string, unknown> = {}) {
    const response = await app
      .http()
      .post('/api/v2/workflows')
      .set(admin)
      .send({ name: unique('wf'), steps, ...extra });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  }

  async function execute(workflowId: string, body: Record<string, unknown> = {}) {
    const response = await app
      .http()
      .post(`/api/v2/workflows/${workflowId}/execute`)
      .set(admin)
      .send(body);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body as { run_id: string; status: string };
  }

  const getAgent = async (agentId: string) =>
    (await app.http().get(`/api/v2/agents/${agentId}`).set(admin).expect(200)).body;

  const getRun = async (runId: string) =>
    (await app.http().get(`/api/v2/workflows/runs/${runId}`).set(admin).expect(200)).body;

  async function waitForRun(runId: string, statuses: string[], timeoutMs = 20_000) {
    const run = await pollUntil(
      () => getRun(runId),
      (seen) => statuses.includes(seen.status),
      { timeoutMs, everyMs: 50 },
    );
    if (!statuses.includes(run.status))
      throw new Error(`run ${runId} is ${run.status}: ${JSON.stringify(run.steps)}`);
    return run;
  }

  /** A dashboard client following a workflow's room from before its run starts. */
  async function dashboard(workflowId: string) {
    const socket = await connectSocket(app.url, {
      token: TEST_ADMIN_KEY,
      rooms: [`workflow:${workflowId}`],
    });
    sockets.push(socket);
    return socket;
  }

  /** Every event of the dashboard socket (replayed or live), in arrival order. */
  function eventsOf(socket: TestSocket) {
    return socket.received
      .filter((entry) => ['event_history', 'task_update', 'workflow_update'].includes(entry.event))
      .map((entry) => entry.payload)
      .filter((envelope) => envelope.data.task || envelope.data.run);
  }

  describe('definitions', () => {
    it('refuses an invalid graph with details naming the step path', async () => {
      const response = await app
        .http()
        .post('/api/v2/workflows')
        .set(admin)
        .send({
          name: 'broken',
          steps: [
            step('a', { depends_on: ['c'] }),
            step('a'),
            step('b', { depends_on: ['zz', 'b'] }),
            step('c', { depends_on: ['a'] }),
          ],
        })
        .expect(400);
      expect(response.body.details).toEqual(
        expect.arrayContaining([
          { field: 'steps.1.key', message: 'duplicates the key of steps.0' },
          { field: 'steps.2.depends_on.0', message: 'names no step of this workflow ("zz")' },
          { field: 'steps.2.depends_on.1', message: 'a step cannot depend on itself' },
        ]),
      );
      const cycle = await app
        .http()
        .post('/api/v2/workflows')
        .set(admin)
        .send({
          name: 'cycle',
          steps: [
            step('a', { depends_on: ['c'] }),
            step('b', { depends_on: ['a'] }),
            step('c', { depends_on: ['b'] }),
          ],
        })
        .expect(400);
      expect(cycle.body.details[0].field).toMatch(/^steps\.\d\.depends_on$/);
      expect(cycle.body.details[0].message).toContain('cycle');
      const fields = await app
        .http()
        .post('/api/v2/workflows')
        .set(admin)
        .send({
          name: 'bad',
          failure_policy: 'sometimes',
          steps: [{ key: 'a b', name: 'x', task_template: {}, timeout_seconds: 0 }],
        })
        .expect(400);
      expect(fields.body.details.map((d: any) => d.field)).toEqual(
        expect.arrayContaining([
          'failure_policy',
          'steps.0.key',
          'steps.0.task_template.title',
          'steps.0.timeout_seconds',
        ]),
      );
      const ghost = await app
        .http()
        .post('/api/v2/workflows')
        .set(admin)
        .send({
          name: 'ghost',
          steps: [step('a', { agent_id: '00000000-0000-4000-8000-000000000000' })],
        })
        .expect(400);
      expect(ghost.body.details).toEqual([
        {
          field: 'steps.0.agent_id',
          message: 'Agent 00000000-0000-4000-8000-000000000000 not found',
        },
      ]);
    });

    it('refuses a step without task_template at create and update, naming the step', async () => {
      for (const path of ['/api/v2/workflows', '/api/v1/workflows']) {
        const missing = await app
          .http()
          .post(path)
          .set(admin)
          .send({ name: 'no template', steps: [{ key: 'build', name: 'Build' }] })
          .expect(400);
        expect(missing.body.details).toEqual([
          {
            field: 'steps.0.task_template',
            message: expect.stringMatching(/^task_template is required.*\(step "build"\)$/),
          },
        ]);
      }
      const created = await createWorkflow([step('a')]);
      const update = await app
        .http()
        .put(`/api/v2/workflows/${created.id}`)
        .set(admin)
        .send({ steps: [step('a'), { key: 'b', name: 'B', task_template: 'later' }] })
        .expect(400);
      expect(update.body.details.length).toBeGreaterThan(0);
      for (const detail of update.body.details)
        expect(detail).toEqual({
          field: 'steps.1.task_template',
          message: expect.stringContaining('(step "b")'),
        });
    });

    it('refuses to run a stored definition that cannot run, with a 409 naming the step', async () => {
      const created = await createWorkflow([step('a'), step('b', { depends_on: ['a'] })]);
      // A definition stored before steps were checked: the API no longer writes one.
      await db.query(
        `UPDATE workflows SET steps = jsonb_set(steps, '{1}', (steps->1) - 'task_template') WHERE id = $1`,
        [created.id],
      );
      for (const path of [
        `/api/v2/workflows/${created.id}/execute`,
        `/api/v1/workflows/${created.id}/execute`,
      ]) {
        const refused = await app.http().post(path).set(admin).send({}).expect(409);
        expect(refused.body.message).toContain('steps.1.task_template');
        expect(refused.body.details).toEqual([
          { field: 'steps.1.task_template', message: expect.stringContaining('(step "b")') },
        ]);
      }
      const runs = await app
        .http()
        .get(`/api/v2/workflows/${created.id}/runs`)
        .set(admin)
        .expect(200);
      expect(runs.body.data).toEqual([]);
      // A scheduled execution fails its job with the same clear error.
      const job = await runJob(app, 'workflows.execute', { workflow_id: created.id });
      expect(job.status).toBe('failed');
      expect(job.error).toContain('steps.1.task_template');
    });

    it('v2: creates, reads, lists, updates and deletes in the contract shape', async () => {
      const created = await createWorkflow(
        [step('a'), step('b', { depends_on: ['a'], max_retries: 0 })],
        {
          description: 'two steps',
          workflow_type: 'release',
          tags: ['ci'],
          failure_policy: 'continue',
        },
      );
      expect(created).toMatchObject({
        status: 'active',
        workflow_type: 'release',
        failure_policy: 'continue',
        is_template: false,
        progress: 0,
        counters: { total: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
        runs: { total: 0 },
        latest_run: null,
        success_rate: 0,
      });
      expect(created.steps[1]).toEqual({
        key: 'b',
        name: 'Step b',
        description: null,
        agent_id: null,
        agent_type: null,
        required_capabilities: [],
        task_template: { title: 'Do b' },
        depends_on: ['a'],
        timeout_seconds: 300,
        max_retries: 0,
      });
      const list = await app
        .http()
        .get('/api/v2/workflows?tags=ci&sort_by=name&sort_order=asc')
        .set(admin)
        .expect(200);
      expect(list.body.data.map((w: any) => w.id)).toContain(created.id);
      expect(list.headers['x-total-count']).toBeDefined();
      await app.http().get('/api/v2/workflows?sort_by=nope').set(admin).expect(400);
      const updated = await app
        .http()
        .put(`/api/v2/workflows/${created.id}`)
        .set(admin)
        .send({ name: 'renamed', steps: [step('only')] })
        .expect(200);
      expect(updated.body).toMatchObject({ name: 'renamed', steps: [{ key: 'only' }] });
      await app.http().get(`/api/v2/workflows/${created.id}`).set(admin).expect(200);
      await app.http().delete(`/api/v2/workflows/${created.id}`).set(admin).expect(204);
      await app.http().get(`/api/v2/workflows/${created.id}`).set(admin).expect(404);
      await app.http().get('/api/v2/workflows/not-a-uuid').set(admin).expect(400);
    });

    it('takes many concurrent updates of one workflow, each checking its steps and agents', async () => {
      const agent = await startAgent({ agentType: unique('busy') });
      const created = await createWorkflow([step('a')]);
      // More than the connection pool (10): each waits for the row in turn, none for a connection.
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          app
            .http()
            .put(`/api/v2/workflows/${created.id}`)
            .set(admin)
            .send({
              name: `update ${i}`,
              assigned_agents: [{ id: agent.id }],
              steps: [step('a', { agent_id: agent.id })],
            }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    });

    it('takes many concurrent runs of one workflow whose steps name an agent', async () => {
      const agent = await startAgent({ agentType: unique('named') });
      const created = await createWorkflow([step('a', { agent_id: agent.id })]);
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const answers = await Promise.all(
        Array.from({ length: 24 }, () =>
          app
            .http()
            .post(`/api/v2/workflows/${created.id}/execute`)
            .set(admin)
            .send({ scheduled_at: later }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    });

    it('a run makes each step a task from its template', async () => {
      const type = unique('template');
      const workflow = await createWorkflow([
        step('plain', { agent_type: type }),
        {
          key: 'full',
          name: 'Full step',
          depends_on: ['plain'],
          agent_type: type,
          required_capabilities: ['gpu', 'python'],
          timeout_seconds: 90,
          max_retries: 2,
          task_template: {
            title: 'Train the model',
            description: 'On the new data',
            priority: 'high',
            task_type: 'training',
            metadata: { dataset: 'v2', shards: 4 },
            estimated_duration_minutes: 45,
          },
        },
      ]);
      const client = await dashboard(workflow.id);
      const { run_id: runId } = await execute(workflow.id);
      const { body } = await app
        .http()
        .get('/api/v2/tasks')
        .query({ run_id: runId, limit: 10 })
        .set(admin)
        .expect(200);
      const byTitle = new Map(body.data.map((task: any) => [task.title, task]));
      // A dashboard is told of the tasks and the run as reads then show them (no agent
      // has taken a step: nothing changed since).
      for (const task of body.data) {
        const created = await client.waitFor(
          'task_update',
          (e) => e.data.event === 'created' && e.data.task.id === task.id,
        );
        expect(created.data.task).toEqual(task);
      }
      const started = await client.waitFor(
        'workflow_update',
        (e) => e.data.event === 'run_started' && e.data.run.id === runId,
      );
      const { steps: _steps, ...summary } = await getRun(runId);
      expect(started.data.run).toEqual(summary);
      const plain = byTitle.get('Do plain') as any;
      expect(plain).toMatchObject({
        description: null,
        status: 'pending',
        priority: 'medium',
        task_type: null,
        metadata: {},
        tags: [],
        attempt: 1,
        assigned_agent: null,
        workflow_id: workflow.id,
        run_id: runId,
        time_tracking: { estimated_duration_minutes: null, started_at: null, completed_at: null },
        dependents: [expect.any(String)],
      });
      expect(byTitle.get('Train the model')).toMatchObject({
        description: 'On the new data',
        status: 'pending',
        priority: 'high',
        task_type: 'training',
        metadata: { dataset: 'v2', shards: 4 },
        time_tracking: { estimated_duration_minutes: 45 },
        dependencies: [plain.id],
      });
      const run = await getRun(runId);
      expect(run.steps.map((s: any) => s.key)).toEqual(['plain', 'full']);
      expect(run.steps[1]).toMatchObject({
        name: 'Full step',
        task_id: (byTitle.get('Train the model') as any).id,
        depends_on: ['plain'],
        max_attempts: 3,
        status: 'pending',
      });
    });

    it('knows, for agents freed by some runs, whether a step of another run waits', async () => {
      const workflow = await createWorkflow([step('lonely', { agent_type: unique('nobody') })]);
      const { run_id: runId } = await execute(workflow.id);
      const running = (
        await db.query<{ id: string }>(`SELECT id FROM workflow_runs WHERE status = 'running'`)
      ).rows.map((row) => row.id);
      const others = running.filter((id) => id !== runId);
      const dispatches = app.service.app.get(DispatchRepository);
      // Leaving out every running run, none waits; leaving out all but this one, its step does.
      expect(await dispatches.waitingStepsElsewhere([running, others, [runId, ...others]])).toEqual(
        [false, true, false],
      );
    });

    it('a large run refreshes the planner statistics of the tables it filled', async () => {
      // Plans made for the tables as autovacuum last saw them (nearly empty) made every
      // dispatch pass of a new large run scan its steps once per task.
      const tables = ['tasks', 'task_dependencies', 'workflow_run_steps'];
      const analyzed = async () => {
        const { rows } = await db.query<{ relname: string; n: number }>(
          'SELECT relname, analyze_count::int AS n FROM pg_stat_user_tables WHERE relname = ANY($1)',
          [tables],
        );
        return Object.fromEntries(rows.map((row) => [row.relname, row.n]));
      };
      const before = await analyzed();
      const chain = Array.from({ length: 300 }, (_, i) =>
        step(`s${i}`, { agent_type: unique('idle'), ...(i ? { depends_on: [`s${i - 1}`] } : {}) }),
      );
      await execute((await createWorkflow(chain)).id);
      const after = await pollUntil(analyzed, (counts) =>
        tables.every((table) => counts[table] > (before[table] ?? 0)),
      );
      expect(tables.map((table) => after[table] > (before[table] ?? 0))).toEqual([
        true,
        true,
        true,
      ]);
      const { rows } = await db.query<{ relname: string; reltuples: number }>(
        'SELECT relname, reltuples FROM pg_class WHERE relname = ANY($1)',
        [tables],
      );
      for (const row of rows) expect(row.reltuples).toBeGreaterThanOrEqual(299);
    });

    it('a run starts once its tasks and steps are written, not while they are', async () => {
      try {
        // The database notes when it writes each step row of the run, by the clock it stamps runs with.
        await db.query('CREATE TABLE step_writes (run_id uuid, at timestamptz)');
        await db.query(`CREATE FUNCTION note_step_write() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN INSERT INTO step_writes VALUES (NEW.run_id, clock_timestamp()); RETURN NEW; END $$`);
        await db.query(`CREATE TRIGGER note_step_write AFTER INSERT ON workflow_run_steps
          FOR EACH ROW EXECUTE FUNCTION note_step_write()`);
        const steps = Array.from({ length: 200 }, (_, i) =>
          step(`s${i}`, {
            agent_type: unique('idle'),
            ...(i ? { depends_on: [`s${i - 1}`] } : {}),
          }),
        );
        const run = await execute((await createWorkflow(steps)).id);
        const { rows } = await db.query<{ after_writes: boolean }>(
          `SELECT r.started_at >= max(w.at) AS after_writes FROM workflow_runs r
             JOIN step_writes w ON w.run_id = r.id WHERE r.id = $1 GROUP BY r.started_at`,
          [run.run_id],
        );
        expect(rows).toEqual([{ after_writes: true }]);
      } finally {
        await db.query('DROP TRIGGER IF EXISTS note_step_write ON workflow_run_steps');
        await db.query(
          'DROP FUNCTION IF EXISTS note_step_write(); DROP TABLE IF EXISTS step_writes',
        );
      }
    });

    it('v1: the original routes and shapes, with reported figures kept apart', async () => {
      const agent = await startAgent({ agentType: unique('v1') });
      const created = await app
        .http()
        .post('/api/v1/workflows')
        .set(admin)
        .send({
          name: 'v1 flow',
          workflow_type: 'docs',
          project_id: 'p-1',
          project_name: 'P',
          assigned_agents: [{ id: agent.id }],
          scheduled_at: '2030-01-01T00:00:00Z',
        })
        .expect(201);
      expect(created.body).toMatchObject({
        name: 'v1 flow',
        status: 'active',
        project: { id: 'p-1', name: 'P' },
        progress: { percentage: 0, total_tasks: 0, completed_tasks: 0, failed_tasks: 0 },
        time_tracking: { estimated_duration_hours: null, actual_duration_hours: null },
        quality_metrics: { success_rate: 0, quality_score: null, efficiency_score: null },
        agents: { assigned: [{ id: agent.id, name: agent.name }], utilization: {} },
        flags: { is_paused: false, is_template: false, requires_approval: false },
        scheduled_at: null,
      });
      const id = created.body.id;
      const bad = await app
        .http()
        .post('/api/v1/workflows')
        .set(admin)
        .send({ name: 'x', assigned_agents: [{ id: '00000000-0000-4000-8000-000000000000' }] })
        .expect(400);
      expect(bad.body.message).toContain('Agent 00000000-0000-4000-8000-000000000000 not found');
      const progress = await app
        .http()
        .patch(`/api/v1/workflows/${id}/progress`)
        .set(admin)
        .send({ progress_percentage: 80, total_tasks: 5, completed_tasks: 4 })
        .expect(200);
      expect(progress.body.progress.percentage).toBe(0);
      expect(progress.body.reported).toMatchObject({
        progress_percentage: 80,
        total_tasks: 5,
        completed_tasks: 4,
      });
      const status = await app
        .http()
        .patch(`/api/v1/workflows/${id}/status`)
        .set(admin)
        .send({ status: 'inactive' })
        .expect(200);
      expect(status.body.status).toBe('inactive');
      await app
        .http()
        .patch(`/api/v1/workflows/${id}/status`)
        .set(admin)
        .send({ status: 'running' })
        .expect(400);
      const removed = await app
        .http()
        .delete(`/api/v1/workflows/${id}/agents/${agent.id}`)
        .set(admin)
        .expect(200);
      expect(removed.body.agents.assigned).toEqual([]);
      const added = await app
        .http()
        .post(`/api/v1/workflows/${id}/agents`)
        .set(admin)
        .send({ agent_id: agent.id })
        .expect(200);
      expect(added.body.agents.assigned).toEqual([{ id: agent.id, name: agent.name }]);
      const template = await app
        .http()
        .post('/api/v1/workflows/templates')
        .set(admin)
        .send({
          name: 'tpl',
          workflow_type: 'release',
          default_agents: [{ id: agent.id, name: 'ignored' }],
        })
        .expect(201);
      expect(template.body).toMatchObject({
        status: 'inactive',
        flags: { is_template: true },
        agents: { assigned: [{ id: agent.id, name: agent.name }] },
      });
      const list = await app
        .http()
        .get('/api/v1/workflows?is_template=true')
        .set(admin)
        .expect(200);
      expect(Array.isArray(list.body)).toBe(true);
      expect(list.body.every((w: any) => w.flags.is_template)).toBe(true);
      const summary = await app
        .http()
        .get('/api/v1/workflows/stats/summary')
        .set(admin)
        .expect(200);
      expect(summary.body.template_workflows).toBeGreaterThanOrEqual(1);
      expect(summary.body.total_workflows).toBeGreaterThanOrEqual(2);
      expect(
        await app
          .http()
          .get(`/api/v1/workflows/${id}/tasks`)
          .set(admin)
          .expect(200)
          .then((r) => r.body),
      ).toEqual([]);
      const gone = await app.http().delete(`/api/v1/workflows/${id}`).set(admin).expect(200);
      expect(gone.body).toEqual({ message: 'Workflow deleted successfully' });
      await app.http().get(`/api/v1/workflows/${id}/tasks`).set(admin).expect(404);
    });

    it('v1 execute starts a real run whose tasks the workflow lists', async () => {
      const type = unique('v1run');
      await startAgent({ agentType: type });
      const workflow = await createWorkflow([
        step('x', { agent_type: type }),
        step('y', { depends_on: ['x'], agent_type: type }),
      ]);
      const started = await app
        .http()
        .post(`/api/v1/workflows/${workflow.id}/execute`)
        .set(admin)
        .send({ workflow_id: workflow.id, parameters: { release: '1.2' } })
        .expect(200);
      expect(started.body).toMatchObject({
        message: 'Workflow execution started',
        workflow_id: workflow.id,
        status: 'running',
        scheduled_at: null,
      });
      const run = await waitForRun(started.body.run_id, ['completed']);
      expect(run.parameters).toEqual({ release: '1.2' });
      const tasks = await app
        .http()
        .get(`/api/v1/workflows/${workflow.id}/tasks`)
        .set(admin)
        .expect(200);
      expect(tasks.body.map((t: any) => t.status)).toEqual(['completed', 'completed']);
      const v1 = await app.http().get(`/api/v1/workflows/${workflow.id}`).set(admin).expect(200);
      expect(v1.body.progress).toEqual({
        percentage: 100,
        total_tasks: 2,
        completed_tasks: 2,
        failed_tasks: 0,
      });
      expect(v1.body.quality_metrics.success_rate).toBe(100);
      expect(v1.body.time_tracking.completed_at).toBe(run.completed_at);
    });
  });

  describe('orchestration', () => {
    it('the sweep takes runs needing a look a page at a time, in turn, never only the oldest', async () => {
      // Runs whose step waits for an agent type nobody has: they need a look on every pass.
      const workflow = await createWorkflow([step('a', { agent_type: unique('absent') })]);
      const runIds: string[] = [];
      for (let i = 0; i < 3; i++) runIds.push((await execute(workflow.id)).run_id);
      for (const runId of runIds) await waitForRun(runId, ['running']);

      const store = app.service.app.get(RunStore);
      const seen: string[] = [];
      let cursor: AttentionCursor | undefined;
      do {
        const page = await store.needingAttention(2, cursor);
        expect(page.ids.length).toBeLessThanOrEqual(2);
        seen.push(...page.ids);
        cursor = page.next;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(runIds));
    });

    it('says why a step waits for an agent, and announces each change of reason', async () => {
      const type = unique('waiting');
      const workflow = await createWorkflow([
        step('a', { agent_type: type, required_capabilities: ['gpu'] }),
        step('b', { agent_type: type, required_capabilities: ['gpu'] }),
      ]);
      const client = await dashboard(workflow.id);
      const { run_id: runId } = await execute(workflow.id);
      const reasons = async (expected: (string | null)[]) => {
        const run = await pollUntil(
          () => getRun(runId),
          (seen) =>
            JSON.stringify(seen.steps.map((s: any) => s.waiting_reason)) ===
            JSON.stringify(expected),
          { timeoutMs: 10_000, everyMs: 50 },
        );
        expect(run.steps.map((s: any) => s.waiting_reason)).toEqual(expected);
        return run;
      };
      // No agent of the type with the capability.
      let run = await reasons(['no_matching_agent', 'no_matching_agent']);
      expect(run.steps[0]).toMatchObject({ status: 'pending', agent_id: null });
      expect(run.steps[0].waiting_detail).toContain(`of type "${type}" with capabilities "gpu"`);
      await client.waitFor(
        'workflow_update',
        (envelope) =>
          envelope.data.event === 'run_waiting' &&
          envelope.data.steps.some((s: any) => s.waiting_reason === 'no_matching_agent'),
      );

      // One matches but has never sent a heartbeat: the run's next dispatch says so.
      const silent = await startAgent({ agentType: type, capabilities: ['gpu'], heartbeat: false });
      await app
        .http()
        .post(`/api/v2/workflows/runs/${runId}/pause`)
        .set(admin)
        .send({})
        .expect(200);
      await app
        .http()
        .post(`/api/v2/workflows/runs/${runId}/resume`)
        .set(admin)
        .send({})
        .expect(200);
      run = await reasons(['no_live_agent', 'no_live_agent']);
      expect(run.steps[0].waiting_detail).toContain('AGENT_OFFLINE_AFTER_SECONDS');

      // It heartbeats with room for one step: one runs, the other waits for capacity.
      const hold = () => ({ kind: 'ignore' as const });
      const busy = await startAgent({ agentType: type, capabilities: ['gpu'], script: hold });
      void busy;
      run = await pollUntil(
        () => getRun(runId),
        (seen) => seen.steps.some((s: any) => s.status === 'in_progress'),
        { timeoutMs: 10_000, everyMs: 50 },
      );
      await silent.heartbeat('active');
      const waitingStep = await pollUntil(
        async () => (await getRun(runId)).steps.find((s: any) => s.status === 'pending'),
        (found) => !found || found.waiting_reason === 'agents_at_capacity',
        { timeoutMs: 10_000, everyMs: 50 },
      );
      if (waitingStep) {
        expect(waitingStep.waiting_reason).toBe('agents_at_capacity');
        expect(waitingStep.waiting_detail).toContain('all at capacity');
      }
      const started = (await getRun(runId)).steps.find((s: any) => s.status === 'in_progress');
      expect(started).toMatchObject({ waiting_reason: null, waiting_detail: null });
      await client.waitFor(
        'workflow_update',
        (envelope) =>
          envelope.data.event === 'run_waiting' &&
          envelope.data.steps.some((s: any) => s.waiting_reason === null),
      );
      await app
        .http()
        .post(`/api/v2/workflows/runs/${runId}/cancel`)
        .set(admin)
        .send({})
        .expect(200);
    });

    it('the agent a step is dispatched to is announced as a read answers it', async () => {
      const type = unique('announced');
      const agent = await startAgent({ agentType: type, script: () => ({ kind: 'ignore' }) });
      const before = await getAgent(agent.id);
      const watcher = await connectSocket(app.url, { token: TEST_ADMIN_KEY, rooms: ['agents'] });
      sockets.push(watcher);
      await execute((await createWorkflow([step('only', { agent_type: type })])).id);
      const busy = await watcher.waitFor(
        'agent_update',
        (e) => e.data.event === 'status_changed' && e.data.agent.id === agent.id,
      );
      expect(busy.data).toMatchObject({ previous_status: 'active', agent: { status: 'busy' } });
      expect(busy.data.agent).toEqual(await getAgent(agent.id));
      expect(Date.parse(busy.data.agent.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    });

    it('a dispatch job’s record ends completed even when it is written after the job ran', async () => {
      try {
        // A dispatch job's record is written beside its run: slowly here, so that the run's
        // changes to it (started, completed) come first and must wait for it.
        await db.query(`CREATE FUNCTION slow_dispatch_record() RETURNS trigger LANGUAGE plpgsql
          AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$`);
        await db.query(`CREATE TRIGGER slow_dispatch_record BEFORE INSERT ON background_tasks
          FOR EACH ROW WHEN (NEW.task_name = 'workflows.dispatch')
          EXECUTE FUNCTION slow_dispatch_record()`);
        const type = unique('recorded');
        await startAgent({ agentType: type });
        const workflow = await createWorkflow([step('only', { agent_type: type })]);
        const { run_id: runId } = await execute(workflow.id);
        await waitForRun(runId, ['completed']);
        const records = await pollUntil(
          async () =>
            (
              await app
                .http()
                .get('/api/v2/background-tasks')
                .query({ task_name: 'workflows.dispatch', include_internal: true, limit: 100 })
                .set(admin)
                .expect(200)
            ).body.data.filter((job: any) => job.parameters?.run_id === runId),
          (jobs) => jobs.length > 0 && jobs.every((job: any) => job.status === 'completed'),
        );
        expect(records.length).toBeGreaterThan(0);
        for (const job of records)
          expect(job).toMatchObject({ internal: true, status: 'completed' });
      } finally {
        await db.query('DROP TRIGGER IF EXISTS slow_dispatch_record ON background_tasks');
        await db.query('DROP FUNCTION IF EXISTS slow_dispatch_record()');
      }
    });

    it('runs a diamond on two agents: B and C in parallel, D after both, seen in order by a dashboard client', async () => {
      const type = unique('diamond');
      const script = () => ({ kind: 'complete' as const, afterMs: 300, quality_score: 90 });
      const [one, two] = [
        await startAgent({ agentType: type, script }),
        await startAgent({ agentType: type, script }),
      ];
      const workflow = await createWorkflow([
        step('d', { depends_on: ['b', 'c'], agent_type: type }),
        step('b', { depends_on: ['a'], agent_type: type }),
        step('c', { depends_on: ['a'], agent_type: type }),
        step('a', { agent_type: type }),
      ]);
      const client = await dashboard(workflow.id);
      const { run_id: runId, status } = await execute(workflow.id);
      expect(status).toBe('running');
      expect((await client.ack('join_room', { room: `run:${runId}` })).ok).toBe(true);
      const run = await waitForRun(runId, ['completed', 'failed']);
      expect(run.status).toBe('completed');
      expect(run.progress).toBe(100);
      expect(run.counters).toEqual({
        total: 4,
        pending: 0,
        running: 0,
        completed: 4,
        failed: 0,
        cancelled: 0,
      });
      const byKey = Object.fromEntries(run.steps.map((s: any) => [s.key, s]));
      const at = (key: string, field: string) => new Date(byKey[key][field]).getTime();
      // B and C overlapped, on different agents; D started only after both completed.
      expect(byKey.b.agent_id).not.toBe(byKey.c.agent_id);
      expect(at('b', 'started_at')).toBeLessThan(at('c', 'completed_at'));
      expect(at('c', 'started_at')).toBeLessThan(at('b', 'completed_at'));
      expect(at('d', 'started_at')).toBeGreaterThanOrEqual(
        Math.max(at('b', 'completed_at'), at('c', 'completed_at')),
      );
      expect(at('b', 'started_at')).toBeGreaterThanOrEqual(at('a', 'completed_at'));
      expect(new Date(run.started_at).getTime()).toBeLessThanOrEqual(at('a', 'started_at'));
      expect(new Date(run.completed_at).getTime()).toBeGreaterThanOrEqual(at('d', 'completed_at'));
      for (const s of run.steps)
        expect(s).toMatchObject({ attempt: 1, status: 'completed', error: null });

      // The agents were told their steps with the run, the step key and the attempt.
      const assigned = [...one.assignments, ...two.assignments];
      expect(assigned.map((a) => a.stepKey).sort()).toEqual(['a', 'b', 'c', 'd']);
      for (const a of assigned) expect(a).toMatchObject({ runId, attempt: 1 });

      // The dashboard saw every transition, in order, ids increasing.
      await client.waitFor('workflow_update', (e) => e.data.event === 'run_completed');
      const events = eventsOf(client);
      // Every task and run event of the run is routed to run:<id> as well.
      for (const e of events) expect(e.rooms).toContain(`run:${runId}`);
      const ids = events.map((e) => BigInt(e.id));
      expect(ids).toEqual([...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      const statusFlow = (key: string) =>
        events
          .filter((e) => e.type === 'task_update' && e.data.task.step_key === key)
          .filter((e) => ['created', 'status_changed'].includes(e.data.event))
          .map((e) => e.data.task.status);
      for (const key of ['a', 'b', 'c', 'd'])
        expect(statusFlow(key)).toEqual(['pending', 'in_progress', 'completed']);
      const position = (key: string, status: string) =>
        events.findIndex(
          (e) =>
            e.type === 'task_update' &&
            e.data.task.step_key === key &&
            e.data.event === 'status_changed' &&
            e.data.task.status === status,
        );
      expect(position('d', 'in_progress')).toBeGreaterThan(position('b', 'completed'));
      expect(position('d', 'in_progress')).toBeGreaterThan(position('c', 'completed'));
      expect(position('b', 'in_progress')).toBeGreaterThan(position('a', 'completed'));
      expect(position('b', 'in_progress')).toBeLessThan(position('c', 'completed'));
      const runEvents = events.filter((e) => e.type === 'workflow_update').map((e) => e.data.event);
      expect(runEvents[0]).toBe('run_started');
      expect(runEvents.at(-1)).toBe('run_completed');
      expect(runEvents.filter((e) => e === 'run_progress').length).toBeGreaterThan(0);
      const last = events.filter((e) => e.type === 'workflow_update').at(-1);
      expect(last.data.run).toMatchObject({ id: runId, status: 'completed', progress: 100 });
    });

    it('a step that times out is retried with backoff, then fails the run under fail_fast', async () => {
      const type = unique('timeout');
      const agent = await startAgent({
        agentType: type,
        script: (a) => (a.stepKey === 'slow' ? { kind: 'ignore' } : { kind: 'ignore' }),
      });
      const helper = await startAgent({
        agentType: `${type}-side`,
        script: () => ({ kind: 'ignore' }),
      });
      const workflow = await createWorkflow([
        step('slow', { agent_type: type, timeout_seconds: 1, max_retries: 1 }),
        step('after', { agent_type: type, depends_on: ['slow'] }),
        step('side', { agent_type: `${type}-side`, timeout_seconds: 60 }),
      ]);
      const client = await dashboard(workflow.id);
      const { run_id: runId } = await execute(workflow.id);
      const run = await waitForRun(runId, ['failed', 'completed'], 20_000);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/Step "slow" failed after 2 attempt\(s\): Timed out after 1 s/);
      const byKey = Object.fromEntries(run.steps.map((s: any) => [s.key, s]));
      expect(byKey.slow).toMatchObject({
        status: 'failed',
        attempt: 2,
        max_attempts: 2,
        retry_at: null,
      });
      // fail_fast: what had not finished is cancelled, the step in progress elsewhere too.
      expect(byKey.after.status).toBe('cancelled');
      expect(byKey.side.status).toBe('cancelled');
      expect(run.counters).toMatchObject({ running: 0, pending: 0, failed: 1, cancelled: 2 });
      expect(helper.assignments.map((a) => a.stepKey)).toEqual(['side']);
      // Two attempts, each timed out; the second came 1 s (2^0) after the first failed.
      expect(agent.assignments.map((a) => [a.stepKey, a.attempt])).toEqual([
        ['slow', 1],
        ['slow', 2],
      ]);
      const { rows } = await db.query(
        `SELECT attempt, outcome, dispatched_at, deadline_at FROM workflow_step_dispatches WHERE task_id = $1 ORDER BY attempt`,
        [byKey.slow.task_id],
      );
      expect(rows.map((r) => [r.attempt, r.outcome])).toEqual([
        [1, 'timed_out'],
        [2, 'timed_out'],
      ]);
      expect(rows[0].deadline_at.getTime() - rows[0].dispatched_at.getTime()).toBe(1_000);
      await client.waitFor('workflow_update', (e) => e.data.event === 'run_failed');
      const failedFirst = eventsOf(client).find(
        (e) =>
          e.type === 'task_update' &&
          e.data.task.step_key === 'slow' &&
          e.data.task.status === 'failed' &&
          e.data.task.attempt === 1,
      );
      const failedAt = new Date(failedFirst.data.task.time_tracking.completed_at).getTime();
      expect(failedAt).toBeGreaterThanOrEqual(rows[0].deadline_at.getTime());
      const backoff = rows[1].dispatched_at.getTime() - failedAt;
      expect(backoff).toBeGreaterThanOrEqual(1_000);
      expect(backoff).toBeLessThan(2_500);
      // A late report for the timed-out first attempt is refused.
      const late = await agent.report(byKey.slow.task_id, 1, { kind: 'complete' });
      expect(late).toMatchObject({ ok: false, error: { status_code: 409 } });

      // Retrying the failed run gives its failed and cancelled steps new attempts and retries.
      agent.setScript(() => ({ kind: 'complete' }));
      helper.setScript(() => ({ kind: 'complete' }));
      const retried = await app
        .http()
        .post(`/api/v2/workflows/runs/${runId}/retry`)
        .set(admin)
        .expect(200);
      expect(retried.body).toMatchObject({ status: 'running', error: null, completed_at: null });
      const done = await waitForRun(runId, ['completed', 'failed']);
      expect(done.status).toBe('completed');
      const slow = done.steps.find((s: any) => s.key === 'slow');
      expect(slow).toMatchObject({ attempt: 3, max_attempts: 4 });
      await app.http().post(`/api/v2/workflows/runs/${runId}/retry`).set(admin).expect(409);
    });

    it('under continue, a step that times out for good lets the independent branch finish, then fails the run', async () => {
      const type = unique('continue');
      await startAgent({
        agentType: type,
        maxConcurrentTasks: 2,
        // free2 ends well after slow's 1 s timeout, however loaded the machine is.
        script: (a) =>
          a.stepKey === 'slow'
            ? { kind: 'ignore' }
            : { kind: 'complete', afterMs: a.stepKey === 'free2' ? 3_000 : 800 },
      });
      const workflow = await createWorkflow(
        [
          step('slow', { agent_type: type, timeout_seconds: 1, max_retries: 0 }),
          step('after', { agent_type: type, depends_on: ['slow'] }),
          step('free', { agent_type: type }),
          step('free2', { agent_type: type, depends_on: ['free'] }),
        ],
        { failure_policy: 'continue' },
      );
      const { run_id: runId } = await execute(workflow.id);
      const run = await waitForRun(runId, ['failed', 'completed'], 20_000);
      expect(run.status).toBe('failed');
      const byKey = Object.fromEntries(run.steps.map((s: any) => [s.key, s]));
      expect(byKey.slow).toMatchObject({ status: 'failed', attempt: 1 });
      expect(byKey.after.status).toBe('cancelled');
      expect(byKey.free.status).toBe('completed');
      expect(byKey.free2.status).toBe('completed');
      // free2 finished after slow had failed: the run waited for the independent branch.
      expect(new Date(byKey.free2.completed_at).getTime()).toBeGreaterThan(
        new Date(byKey.slow.completed_at).getTime(),
      );
      expect(new Date(run.completed_at).getTime()).toBeGreaterThanOrEqual(
        new Date(byKey.free2.completed_at).getTime(),
      );
      expect(run.error).toContain('slow');
      expect(run.progress).toBe(50);
    });

    it('a step waits while no agent is available and is dispatched within a second of one becoming available', async () => {
      const type = unique('rare');
      const workflow = await createWorkflow([
        step('only', { agent_type: type, required_capabilities: ['gpu'] }),
      ]);
      const { run_id: runId } = await execute(workflow.id);
      await sleep(1_500);
      let run = await getRun(runId);
      expect(run.status).toBe('running');
      expect(run.steps[0]).toMatchObject({
        status: 'pending',
        agent_id: null,
        dispatched_at: null,
      });
      // An agent of the type but without the capability does not qualify.
      const lacking = await startAgent({ agentType: type, capabilities: ['cpu'] });
      const agent = await startAgent({
        agentType: type,
        capabilities: ['gpu', 'cpu'],
        heartbeat: false,
      });
      await sleep(1_200);
      expect(lacking.assignments).toEqual([]);
      expect(agent.assignments).toEqual([]);
      const heartbeatAt = Date.now();
      await agent.heartbeat();
      const deadline = Date.now() + 5_000;
      while (!agent.assignments.length && Date.now() < deadline) await sleep(10);
      expect(agent.assignments).toHaveLength(1);
      expect(agent.assignments[0].receivedAt - heartbeatAt).toBeLessThan(1_000);
      run = await waitForRun(runId, ['completed']);
      expect(run.steps[0].agent_id).toBe(agent.id);
    });

    it('a busy agent takes the next step as soon as it finishes one (capacity freed)', async () => {
      const type = unique('busy');
      const agent = await startAgent({
        agentType: type,
        script: () => ({ kind: 'complete', afterMs: 400 }),
      });
      const workflow = await createWorkflow([
        step('p', { agent_type: type }),
        step('q', { agent_type: type }),
      ]);
      const { run_id: runId } = await execute(workflow.id);
      const run = await waitForRun(runId, ['completed']);
      const [first, second] = [...run.steps].sort((x: any, y: any) =>
        x.started_at.localeCompare(y.started_at),
      );
      // One at a time (max_concurrent_tasks 1), the second right after the first.
      expect(new Date(second.started_at).getTime()).toBeGreaterThanOrEqual(
        new Date(first.completed_at).getTime(),
      );
      expect(
        new Date(second.started_at).getTime() - new Date(first.completed_at).getTime(),
      ).toBeLessThan(1_000);
      expect(agent.assignments).toHaveLength(2);
    });

    it('a refused v1 update with is_paused leaves the runs as they were; an accepted one pauses them', async () => {
      const type = unique('v1pause');
      const agent = await startAgent({ agentType: type, script: () => ({ kind: 'ignore' }) });
      const workflow = await createWorkflow([step('only', { agent_type: type })]);
      const { run_id: runId } = await execute(workflow.id);
      const assignedBy = Date.now() + 10_000;
      while (!agent.assignments.length) {
        if (Date.now() > assignedBy) throw new Error('the step was never assigned');
        await sleep(10);
      }
      await app
        .http()
        .put(`/api/v1/workflows/${workflow.id}`)
        .set(admin)
        .send({ is_paused: true, steps: [{ key: 'a', name: 'A', depends_on: ['missing'] }] })
        .expect(400);
      expect((await getRun(runId)).status).toBe('running');
      const paused = await app
        .http()
        .put(`/api/v1/workflows/${workflow.id}`)
        .set(admin)
        .send({ is_paused: true })
        .expect(200);
      expect(paused.body.status).toBe('paused');
      expect((await getRun(runId)).status).toBe('paused');
      await app.http().post(`/api/v2/workflows/runs/${runId}/cancel`).set(admin).expect(200);
    });

    it('pause stops dispatching, resume continues, cancel leaves no step running', async () => {
      const type = unique('pause');
      const agent = await startAgent({
        agentType: type,
        script: (a) =>
          a.stepKey === 's2' ? { kind: 'ignore' } : { kind: 'complete', afterMs: 600 },
      });
      const workflow = await createWorkflow([
        step('s1', { agent_type: type }),
        step('s2', { agent_type: type, depends_on: ['s1'] }),
        step('s3', { agent_type: type, depends_on: ['s2'] }),
      ]);
      const { run_id: runId } = await execute(workflow.id);
      const assignedBy = Date.now() + 10_000;
      while (!agent.assignments.length) {
        if (Date.now() > assignedBy) throw new Error('the first step was never assigned');
        await sleep(10);
      }
      const paused = await app
        .http()
        .post(`/api/v2/workflows/runs/${runId}/pause`)
        .set(admin)
        .expect(200);
      expect(paused.body.status).toBe('paused');
      await app.http().post(`/api/v2/workflows/runs/${runId}/pause`).set(admin).expect(409);
      expect(
        (await app.http().get(`/api/v2/workflows/${workflow.id}`).set(admin).expect(200)).body
          .status,
      ).toBe('paused');
      // In use: a workflow with an unfinished run cannot be deleted.
      await app.http().delete(`/api/v2/workflows/${workflow.id}`).set(admin).expect(409);
      await sleep(2_000);
      let run = await getRun(runId);
      expect(run.status).toBe('paused');
      expect(run.steps.map((s: any) => s.status)).toEqual(['completed', 'pending', 'pending']);
      expect(agent.assignments.map((a) => a.stepKey)).toEqual(['s1']);
      await app.http().post(`/api/v2/workflows/runs/${runId}/resume`).set(admin).expect(200);
      const deadline = Date.now() + 5_000;
      while (agent.assignments.length < 2 && Date.now() < deadline) await sleep(10);
      expect(agent.assignments.map((a) => a.stepKey)).toEqual(['s1', 's2']);
      expect(
        (await app.http().get(`/api/v2/workflows/${workflow.id}`).set(admin).expect(200)).body
          .status,
      ).toBe('running');
      const cancelled = await app
        .http()
        .post(`/api/v2/workflows/runs/${runId}/cancel`)
        .set(admin)
        .expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(cancelled.body.steps.map((s: any) => s.status)).toEqual([
        'completed',
        'cancelled',
        'cancelled',
      ]);
      expect(cancelled.body.counters).toMatchObject({ running: 0, pending: 0 });
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM tasks WHERE run_id = $1 AND status IN ('pending', 'blocked', 'in_progress')`,
        [runId],
      );
      expect(rows[0].n).toBe(0);
      const late = await agent.report(agent.assignments[1].taskId, 1, { kind: 'complete' });
      expect(late).toMatchObject({ ok: false, error: { status_code: 409 } });
      await app.http().post(`/api/v2/workflows/runs/${runId}/resume`).set(admin).expect(409);
      await app.http().post(`/api/v2/workflows/runs/${runId}/cancel`).set(admin).expect(409);
      await sleep(1_200);
      run = await getRun(runId);
      expect(run.status).toBe('cancelled');
      expect(agent.assignments).toHaveLength(2);
      await app.http().delete(`/api/v2/workflows/${workflow.id}`).set(admin).expect(204);
      await app.http().get(`/api/v2/workflows/runs/${runId}`).set(admin).expect(404);
    });

    it('scheduled_at starts the run later', async () => {
      const type = unique('later');
      const agent = await startAgent({ agentType: type });
      const workflow = await createWorkflow([step('x', { agent_type: type })]);
      const client = await dashboard(workflow.id);
      const at = new Date(Date.now() + 1_500).toISOString();
      const { run_id: runId, status } = await execute(workflow.id, { scheduled_at: at });
      expect(status).toBe('scheduled');
      const shown = (
        await app.http().get(`/api/v2/workflows/${workflow.id}`).set(admin).expect(200)
      ).body;
      expect(shown).toMatchObject({ status: 'scheduled', scheduled_at: at });
      expect(await getRun(runId)).toMatchObject({
        status: 'scheduled',
        scheduled_at: at,
        started_at: null,
      });
      const run = await waitForRun(runId, ['completed'], 10_000);
      expect(new Date(run.started_at).getTime()).toBeGreaterThanOrEqual(new Date(at).getTime());
      expect(agent.assignments[0].receivedAt).toBeGreaterThanOrEqual(new Date(at).getTime());
      const runEvents = eventsOf(client)
        .filter((e) => e.type === 'workflow_update')
        .map((e) => [e.data.event, e.data.run.status]);
      expect(runEvents.slice(0, 2)).toEqual([
        ['run_updated', 'scheduled'],
        ['run_started', 'running'],
      ]);
    });

    it('workflows.execute through the job system starts a run', async () => {
      const type = unique('job');
      await startAgent({ agentType: type });
      const workflow = await createWorkflow([step('x', { agent_type: type })]);
      const types = await app.http().get('/api/v2/background-tasks/types').set(admin).expect(200);
      expect(types.body.types.map((t: any) => t.name)).toContain('workflows.execute');
      const record = await runJob(
        app,
        'workflows.execute',
        { workflow_id: workflow.id, parameters: { a: 1 } },
        TEST_ADMIN_KEY,
        15_000,
      );
      expect(record.status).toBe('completed');
      const run = await waitForRun((record.result as { run_id: string }).run_id, ['completed']);
      expect(run).toMatchObject({ workflow_id: workflow.id, parameters: { a: 1 } });
      await app
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'workflows.execute', parameters: { workflow_id: 'nope' } })
        .expect(400);
    });

    it('runs imported from SubForge keep the states given and are never dispatched', async () => {
      const { RunImportService } = await import('../src/workflows/run-import.service.js');
      const importer = app.service.app.get(RunImportService);
      const hungry = await startAgent({ agentType: unique('anything') });
      const workflow = await createWorkflow([]);
      const client = await dashboard(workflow.id);
      const run = await importer.upsert({
        workflow_id: workflow.id,
        external_id: 'subforge_demo_1',
        status: 'running',
        started_at: new Date(Date.now() - 60_000),
        steps: [
          { key: 'analysis', name: 'Analysis', status: 'completed', completed_at: new Date() },
          {
            key: 'build',
            name: 'Build',
            status: 'in_progress',
            depends_on: ['analysis'],
            agent_id: hungry.id,
          },
          { key: 'ship', name: 'Ship', status: 'pending', depends_on: ['build'] },
        ],
      });
      await sleep(1_500);
      let shown = await getRun(run.id);
      expect(shown).toMatchObject({
        source: 'subforge',
        external_id: 'subforge_demo_1',
        status: 'running',
        progress: 33.33,
      });
      expect(shown.steps.map((s: any) => s.status)).toEqual([
        'completed',
        'in_progress',
        'pending',
      ]);
      expect(hungry.assignments).toEqual([]);
      // Each task is announced as a read shows it: the step's agent by id and name.
      const announcedAsRead = async (taskId: string) => {
        const created = await client.waitFor(
          'task_update',
          (e) => e.data.event === 'created' && e.data.task.id === taskId,
        );
        const { body: read } = await app
          .http()
          .get(`/api/v2/tasks/${taskId}`)
          .set(admin)
          .expect(200);
        expect(created.data.task).toEqual(read);
        return read;
      };
      const reads = [];
      for (const { task_id: taskId } of shown.steps) reads.push(await announcedAsRead(taskId));
      expect(shown.steps[1].agent_id).toBe(hungry.id);
      expect(reads[1].assigned_agent).toEqual({ id: hungry.id, name: expect.any(String) });
      await app.http().post(`/api/v2/workflows/runs/${run.id}/pause`).set(admin).expect(409);
      await importer.upsert({
        workflow_id: workflow.id,
        external_id: 'subforge_demo_1',
        status: 'completed',
        completed_at: new Date(),
        steps: [
          { key: 'analysis', name: 'Analysis', status: 'completed' },
          { key: 'build', name: 'Build', status: 'completed', depends_on: ['analysis'] },
          { key: 'ship', name: 'Ship', status: 'completed', depends_on: ['build'] },
          // A step added later, after steps imported before.
          {
            key: 'notes',
            name: 'Notes',
            status: 'completed',
            depends_on: ['analysis', 'build', 'ship'],
          },
        ],
      });
      shown = await getRun(run.id);
      expect(shown).toMatchObject({ id: run.id, status: 'completed', progress: 100 });
      const notes = await announcedAsRead(shown.steps[3].task_id);
      expect(notes.dependencies).toHaveLength(3);
      expect(hungry.assignments).toEqual([]);
    });
  });

  describe('history and statistics', () => {
    it('shows runs as v1 workflow history, agents performance, a summary and statistics, all from the runs', async () => {
      const type = unique('hist');
      const project = unique('project');
      const agent = await startAgent({
        agentType: type,
        maxConcurrentTasks: 2,
        script: (a) =>
          a.stepKey === 'check' && a.runId === failingRun
            ? { kind: 'fail', error: 'tests red', retryable: false, afterMs: 400 }
            : { kind: 'complete', afterMs: 50, quality_score: 80 },
      });
      let failingRun: string | null = null;
      const workflow = await createWorkflow(
        [
          step('build', { agent_type: type }),
          step('check', { agent_type: type, depends_on: ['build'] }),
          step('docs', { agent_type: type, depends_on: ['build'] }),
          step('ship', { agent_type: type, depends_on: ['check', 'docs'] }),
        ],
        { project_id: project, workflow_type: 'release' },
      );
      const good = (await execute(workflow.id)).run_id;
      await waitForRun(good, ['completed']);
      failingRun = (await execute(workflow.id)).run_id;
      const bad = await waitForRun(failingRun, ['failed']);
      expect(bad.error).toBe('Step "check" failed after 1 attempt(s): tests red');

      const list = await app
        .http()
        .get(`/api/v1/history/workflows?project_id=${project}&limit=1`)
        .set(admin)
        .expect(200);
      expect(list.body.pagination).toEqual({ limit: 1, offset: 0, total: 2, has_more: true });
      expect(list.body.workflows[0]).toMatchObject({
        id: failingRun,
        workflow_id: workflow.id,
        execution_id: failingRun,
        execution_number: 2,
        workflow: { name: workflow.name, type: 'release', project_id: project },
        status: 'failed',
        final_result: 'partial',
        progress: {
          phases: { total: 4, completed: 2, failed: 1, skipped: 1 },
          tasks: { total: 4, completed: 2, failed: 1 },
        },
        quality_metrics: { success_rate: 50, quality_score: 80 },
        agents: { assigned: [{ id: agent.id, name: agent.name }] },
      });
      expect(list.body.workflows[0].issues.errors).toEqual(
        expect.arrayContaining(['check: tests red']),
      );
      const completedOnly = await app
        .http()
        .get(`/api/v1/history/workflows?project_id=${project}&status_filter=completed`)
        .set(admin)
        .expect(200);
      expect(completedOnly.body.workflows.map((w: any) => w.id)).toEqual([good]);
      expect(completedOnly.body.workflows[0]).toMatchObject({
        final_result: 'success',
        execution_number: 1,
      });
      expect(completedOnly.body.workflows[0].time_tracking.duration_seconds).toBeGreaterThan(0);

      const detail = await app
        .http()
        .get(`/api/v1/history/workflows/${good}`)
        .set(admin)
        .expect(200);
      expect(
        detail.body.phases.map((p: any) => [p.phase.key, p.status, p.result, p.agent.id]),
      ).toEqual([
        ['build', 'completed', 'success', agent.id],
        ['check', 'completed', 'success', agent.id],
        ['docs', 'completed', 'success', agent.id],
        ['ship', 'completed', 'success', agent.id],
      ]);
      expect(detail.body.phases[0].relationships).toEqual({
        dependencies: [],
        dependents: ['check', 'docs'],
      });
      expect(detail.body.handoffs.map((h: any) => h.handoff.name).sort()).toEqual([
        'build -> check',
        'build -> docs',
        'check -> ship',
        'docs -> ship',
      ]);
      for (const handoff of detail.body.handoffs) {
        expect(handoff.status).toBe('completed');
        expect(handoff.time_tracking.duration_seconds).toBeGreaterThanOrEqual(0);
      }
      await app
        .http()
        .get('/api/v1/history/workflows/00000000-0000-4000-8000-000000000000')
        .set(admin)
        .expect(404);

      const performance = await app
        .http()
        .get(`/api/v1/history/agents/performance?agent_id=${agent.id}&period_type=hour`)
        .set(admin)
        .expect(200);
      expect(performance.body.summary).toMatchObject({ total_records: 1, agents_covered: 1 });
      expect(performance.body.metrics[0]).toMatchObject({
        agent: { id: agent.id, name: agent.name, type: type },
        period: { type: 'hour' },
        performance: {
          workflows: { total: 2, successful: 1, failed: 1, success_rate: 50 },
          tasks: { total: 7, successful: 6, failed: 1 },
        },
        quality_metrics: { average_quality_score: 80 },
        issues: { total_errors: 1, timeouts: 0 },
      });
      expect(performance.body.metrics[0].time_metrics.total_active_time_seconds).toBeGreaterThan(0);

      const summary = await app
        .http()
        .get('/api/v1/history/analytics/summary')
        .set(admin)
        .expect(200);
      expect(summary.body.total_workflows).toBeGreaterThanOrEqual(2);
      expect(summary.body.successful_workflows).toBeGreaterThanOrEqual(1);
      expect(summary.body.failed_workflows).toBeGreaterThanOrEqual(1);
      expect(summary.body.success_rate).toBeGreaterThan(0);
      expect(summary.body.success_rate).toBeLessThan(100);

      const stats = await app.http().get('/api/v2/workflows/statistics').set(admin).expect(200);
      expect(stats.body.runs.total).toBeGreaterThanOrEqual(2);
      expect(stats.body.runs.by_status.completed).toBeGreaterThanOrEqual(1);
      expect(stats.body.runs.by_source.api).toBeGreaterThanOrEqual(2);
      expect(stats.body.steps.total).toBeGreaterThanOrEqual(8);
      expect(stats.body.steps.by_status.completed).toBeGreaterThanOrEqual(6);
      expect(stats.body.dispatch.dispatches).toBeGreaterThanOrEqual(7);
      expect(stats.body.dispatch.ready_to_assigned_ms.p50).toBeGreaterThanOrEqual(0);
      expect(stats.body.workflows.total).toBeGreaterThanOrEqual(1);

      // Cleanup counts what it deleted: the good run, aged 100 days.
      await db.query(
        `UPDATE workflow_runs SET started_at = now() - interval '100 days' WHERE id = $1`,
        [good],
      );
      await app.http().delete('/api/v1/history/cleanup?retention_days=0').set(admin).expect(400);
      const viewerCleanup = await app.http().delete('/api/v1/history/cleanup?retention_days=90');
      expect(viewerCleanup.status).toBe(401);
      const cleanup = await app
        .http()
        .delete('/api/v1/history/cleanup?retention_days=90')
        .set(admin)
        .expect(200);
      expect(cleanup.body).toMatchObject({
        message: 'Cleanup completed successfully',
        deleted_records: {
          workflow_history_deleted: 1,
          phase_history_deleted: 4,
          dispatch_records_deleted: 4,
          performance_metrics_deleted: 0,
        },
      });
      await app.http().get(`/api/v1/history/workflows/${good}`).set(admin).expect(404);
      const again = await app
        .http()
        .delete('/api/v1/history/cleanup?retention_days=90')
        .set(admin)
        .expect(200);
      expect(again.body.deleted_records.workflow_history_deleted).toBe(0);
    });

    it('finished runs past the retention go with system.cleanup, counted', async () => {
      const type = unique('retention');
      await startAgent({ agentType: type });
      const workflow = await createWorkflow([
        step('x', { agent_type: type }),
        step('y', { agent_type: type }),
      ]);
      const old = (await execute(workflow.id)).run_id;
      await waitForRun(old, ['completed']);
      const recent = (await execute(workflow.id)).run_id;
      await waitForRun(recent, ['completed']);
      await db.query(
        `UPDATE workflow_runs SET completed_at = now() - interval '40 days' WHERE id = $1`,
        [old],
      );
      const record = await runJob(
        app,
        'system.cleanup',
        { older_than_days: 30 },
        TEST_ADMIN_KEY,
        20_000,
      );
      expect(record.status).toBe('completed');
      expect((record.result as { deleted: Record<string, number> }).deleted.workflow_runs).toBe(1);
      const { rows } = await db.query('SELECT id FROM workflow_runs WHERE workflow_id = $1', [
        workflow.id,
      ]);
      expect(rows.map((row) => row.id)).toEqual([recent]);
    });
  });
});
