import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  SpawnedApp,
  spawnService,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { ScriptedAgent } from './support/scripted-agent.js';
import { pollUntil, sleep } from './support/poll.js';

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `layers` × `width` steps; a step depends on two steps of the layer before. */
function layered(
  layers: number,
  width: number,
  agentType: string,
  extra: Record<string, unknown> = {},
) {
  const steps = [];
  for (let layer = 0; layer < layers; layer++)
    for (let i = 0; i < width; i++)
      steps.push({
        key: `l${layer}-s${i}`,
        name: `Layer ${layer} step ${i}`,
        agent_type: agentType,
        task_template: { title: `L${layer} S${i}` },
        depends_on: layer
          ? [...new Set([`l${layer - 1}-s${i}`, `l${layer - 1}-s${(i + 1) % width}`])]
          : [],
        ...extra,
      });
  return steps;
}

async function createAndExecute(url: string, steps: unknown[]): Promise<string> {
  const workflow = await request(url)
    .post('/api/v2/workflows')
    .set('X-API-Key', TEST_ADMIN_KEY)
    .send({ name: `wf-${Math.random().toString(36).slice(2, 8)}`, steps });
  expect(workflow.status, JSON.stringify(workflow.body)).toBe(201);
  const run = await request(url)
    .post(`/api/v2/workflows/${workflow.body.id}/execute`)
    .set('X-API-Key', TEST_ADMIN_KEY)
    .send({});
  expect(run.status).toBe(202);
  return run.body.run_id;
}

async function stepStates(db: pg.Client, runId: string) {
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT t.status, count(*)::int AS n FROM workflow_run_steps s JOIN tasks t ON t.id = s.task_id
      WHERE s.run_id = $1 GROUP BY t.status`,
    [runId],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n])) as Record<string, number>;
}

async function waitForRunStatus(
  db: pg.Client,
  runId: string,
  statuses: string[],
  timeoutMs: number,
) {
  const status = await pollUntil(
    async () =>
      (
        await db.query<{ status: string }>('SELECT status FROM workflow_runs WHERE id = $1', [
          runId,
        ])
      ).rows[0]?.status,
    (seen) => statuses.includes(seen),
    { timeoutMs },
  );
  if (!statuses.includes(status))
    throw new Error(`run is ${status}: ${JSON.stringify(await stepStates(db, runId))}`);
  return status;
}

/** How many times each step of the run was dispatched (log) and announced to an agent (event history). */
async function dispatchCounts(db: pg.Client, runId: string) {
  const log = await db.query<{ task_id: string; attempts: number[]; instances: string[] }>(
    `SELECT s.task_id, array_agg(d.attempt ORDER BY d.attempt) AS attempts,
            array_agg(d.instance_id::text) AS instances
       FROM workflow_run_steps s LEFT JOIN workflow_step_dispatches d ON d.task_id = s.task_id
      WHERE s.run_id = $1 GROUP BY s.task_id`,
    [runId],
  );
  const events = await db.query<{ task_id: string; n: number }>(
    `SELECT data->'task'->>'id' AS task_id, count(*)::int AS n FROM events
      WHERE type = 'task_assigned' AND data->>'run_id' = $1 GROUP BY 1`,
    [runId],
  );
  return { log: log.rows, announced: new Map(events.rows.map((row) => [row.task_id, row.n])) };
}

/** Agents complete what they had in progress when they reconnect (their reports may have been lost). */
async function catchUp(agent: ScriptedAgent) {
  const { body } = await request(agent.url)
    .get(`/api/v2/tasks?assigned_agent_id=${agent.id}&status=in_progress`)
    .set('X-API-Key', agent.key)
    .expect(200);
  for (const task of body.data) await agent.report(task.id, task.attempt, { kind: 'complete' });
}

describe('workflows across processes', () => {
  let stores: TestStores;
  let db: pg.Client;
  const agents: ScriptedAgent[] = [];
  const processes: SpawnedApp[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    db = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const agent of agents) agent.disconnect();
    for (const proc of processes) await proc.stop();
    await db?.end();
    await stores?.drop();
  });

  it('a restart in the middle of a run (Redis emptied meanwhile): the run completes, no step lost or run twice', async () => {
    const port = await freePort();
    const env = { ...stores.env, ROLE: 'all', PORT: String(port) };
    let service = await spawnService(env);
    processes.push(service);
    const type = 'restart-worker';
    for (let i = 0; i < 3; i++)
      agents.push(
        await ScriptedAgent.start(service.url, {
          agentType: type,
          script: () => ({ kind: 'complete', afterMs: 250 }),
        }),
      );
    const runId = await createAndExecute(service.url, layered(4, 3, type, { timeout_seconds: 60 }));
    const caughtBy = Date.now() + 30_000;
    for (;;) {
      const states = await stepStates(db, runId);
      if ((states.completed ?? 0) >= 4 && (states.in_progress ?? 0) > 0) break;
      if (Date.now() > caughtBy)
        throw new Error(
          `the run never had steps in progress after 4 completed: ${JSON.stringify(states)}`,
        );
      await sleep(20);
    }
    // The agents go quiet first, so the run is caught with steps in progress, then the service stops.
    for (const agent of agents) agent.disconnect();
    await service.stop('SIGTERM');
    const before = await stepStates(db, runId);
    expect(before.completed).toBeGreaterThanOrEqual(4);
    expect(before.completed).toBeLessThan(12);
    // Redis here keeps nothing on disk: whatever the service left there is gone after a restart.
    const redis = new Redis(stores.env.REDIS_URL!);
    const keys = await redis.keys(`${stores.env.REDIS_KEY_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();

    service = await spawnService(env);
    processes.push(service);
    for (const agent of agents) {
      await agent.connect(service.url);
      await agent.heartbeat();
      await catchUp(agent);
    }
    expect(await waitForRunStatus(db, runId, ['completed', 'failed'], 45_000)).toBe('completed');
    expect(await stepStates(db, runId)).toEqual({ completed: 12 });
    const { log, announced } = await dispatchCounts(db, runId);
    expect(log).toHaveLength(12);
    for (const row of log) {
      expect(row.attempts).toEqual([1]);
      expect(announced.get(row.task_id)).toBe(1);
    }
    const received = agents.flatMap((agent) => agent.assignments.map((a) => a.taskId));
    expect(new Set(received).size).toBe(received.length);
    for (const agent of agents) agent.disconnect();
    agents.length = 0;
    await service.stop();
  });

  describe('two workers and an api', () => {
    let api: TestApp;
    const workerIds: string[] = [];

    beforeAll(async () => {
      api = await startTestApp(stores, { ROLE: 'api' });
      for (let i = 0; i < 2; i++) {
        const worker = await spawnService({ ...stores.env, ROLE: 'worker' });
        processes.push(worker);
        workerIds.push(/Worker ([0-9a-f-]{36}) processing jobs/.exec(worker.output())![1]);
      }
    });

    afterAll(async () => {
      await api?.close();
    });

    it('each step is dispatched exactly once and no agent gets more than its capacity', async () => {
      const type = 'pair-worker';
      const mine: ScriptedAgent[] = [];
      for (let i = 0; i < 8; i++)
        mine.push(
          await ScriptedAgent.start(api.url, {
            agentType: type,
            maxConcurrentTasks: 2,
            script: () => ({ kind: 'complete', afterMs: Math.floor(Math.random() * 40) }),
          }),
        );
      agents.push(...mine);
      const runs = await Promise.all([
        createAndExecute(api.url, layered(3, 20, type)),
        createAndExecute(api.url, layered(3, 20, type)),
      ]);
      for (const runId of runs)
        expect(await waitForRunStatus(db, runId, ['completed', 'failed'], 150_000)).toBe(
          'completed',
        );
      const instances = new Map<string, number>();
      for (const runId of runs) {
        expect(await stepStates(db, runId)).toEqual({ completed: 60 });
        const { log, announced } = await dispatchCounts(db, runId);
        expect(log).toHaveLength(60);
        for (const row of log) {
          expect(row.attempts).toEqual([1]);
          expect(announced.get(row.task_id)).toBe(1);
          instances.set(row.instances[0], (instances.get(row.instances[0]) ?? 0) + 1);
        }
      }
      // Only the workers dispatch, and both took part.
      expect([...instances.keys()].every((id) => workerIds.includes(id))).toBe(true);
      expect(instances.size).toBe(2);
      const received = mine.flatMap((agent) => agent.assignments.map((a) => a.taskId));
      expect(received).toHaveLength(120);
      expect(new Set(received).size).toBe(120);
      // Capacity held across both dispatchers: at no moment did an agent run more than 2 steps.
      const { rows } = await db.query<{ agent_id: string; at: Date; delta: number }>(
        `SELECT d.agent_id, x.at, x.delta FROM workflow_step_dispatches d JOIN tasks t ON t.id = d.task_id
           CROSS JOIN LATERAL (VALUES (d.dispatched_at, 1), (t.completed_at, -1)) AS x(at, delta)
          WHERE d.run_id = ANY($1::uuid[]) ORDER BY d.agent_id, x.at, x.delta`,
        [runs],
      );
      const running = new Map<string, number>();
      let peak = 0;
      for (const row of rows) {
        const now = (running.get(row.agent_id) ?? 0) + row.delta;
        running.set(row.agent_id, now);
        peak = Math.max(peak, now);
      }
      expect(peak).toBeLessThanOrEqual(2);
      expect(peak).toBe(2);
      // Three processes and eight agents share the machine: about 20 s idle, three times that under load.
    }, 180_000);
  });
});
