import { spawn } from 'node:child_process';
import { api, benchEnv, startApp } from '../lib/app.js';
import { argOf, distPath, sleep } from '../lib/proc.js';
import type { ScenarioResult } from '../lib/report.js';
import { round, summarize } from '../lib/stats.js';
import { dropDatabase, freshStores, query } from '../lib/stores.js';

/** 10 layers × 100 steps on 100 agents; BENCH_WORKFLOW_LAYERS / _WIDTH / _AGENTS scale it down for a check. */
const LAYERS = Number(process.env.BENCH_WORKFLOW_LAYERS ?? 10);
const WIDTH = Number(process.env.BENCH_WORKFLOW_WIDTH ?? 100);
const AGENTS = Number(process.env.BENCH_WORKFLOW_AGENTS ?? 100);
const CLIENT_PROCESSES = 4;

interface AgentProcess {
  ready: Promise<void>;
  stop(): Promise<{ assigned: number; completed: number; refused: number; retried: number }>;
}

function agentProcess(url: string, keys: string[]): AgentProcess {
  const proc = spawn(
    process.execPath,
    [distPath('bench/clients/scripted-agents.js'), argOf({ url, keys })],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolveReady, reject) => {
    onReady = resolveReady;
    // A client that dies before it is ready must fail the scenario, not hang it.
    proc.once('exit', (code) =>
      reject(new Error(`scripted agents exited (${code}) before they were ready`)),
    );
  });
  proc.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('READY')) onReady();
  });
  const exited = new Promise<void>((resolveExit) => proc.once('exit', () => resolveExit()));
  return {
    ready,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
      return JSON.parse(output.trim().split('\n').pop()!) as {
        assigned: number;
        completed: number;
        refused: number;
        retried: number;
      };
    },
  };
}

/** Layer k step i depends on steps i and i+1 of layer k-1: each becomes ready on its own. */
function layeredSteps() {
  const steps = [];
  for (let layer = 0; layer < LAYERS; layer++)
    for (let i = 0; i < WIDTH; i++)
      steps.push({
        key: `l${layer}-s${i}`,
        name: `L${layer} S${i}`,
        agent_type: 'bench',
        task_template: { title: `L${layer} S${i}` },
        depends_on: layer
          ? [...new Set([`l${layer - 1}-s${i}`, `l${layer - 1}-s${(i + 1) % WIDTH}`])]
          : [],
      });
  return steps;
}

/**
 * Dispatch latency per assignment, from stored timestamps: from when the step was
 * ready (the run started or its last dependency completed) or, if later, when the
 * agent that took it became free (its previous step completed), to the assignment.
 * The second bound leaves out the time a step waited for a free agent.
 */
const LATENCY_SQL = `
  SELECT (extract(epoch FROM d.dispatched_at - GREATEST(ready.at, COALESCE(free.at, ready.at))) * 1000)::float8 AS ms,
         (extract(epoch FROM d.dispatched_at - ready.at) * 1000)::float8 AS raw_ms,
         (extract(epoch FROM d.dispatched_at - GREATEST(created.at, COALESCE(free.at, created.at))) * 1000)::float8 AS from_creation_ms
    FROM workflow_step_dispatches d
    JOIN workflow_runs r ON r.id = d.run_id
    CROSS JOIN LATERAL (
      SELECT GREATEST(r.started_at, (SELECT max(dep.completed_at) FROM task_dependencies e
                                       JOIN tasks dep ON dep.id = e.depends_on_id
                                      WHERE e.task_id = d.task_id)) AS at) ready
    -- Steps ready at the run's start counted from its creation (the start of the execute's transaction).
    CROSS JOIN LATERAL (SELECT CASE WHEN ready.at = r.started_at THEN r.created_at ELSE ready.at END AS at) created
    CROSS JOIN LATERAL (
      SELECT max(t.completed_at) AS at FROM workflow_step_dispatches p JOIN tasks t ON t.id = p.task_id
       WHERE p.agent_id = d.agent_id AND p.run_id = d.run_id AND t.completed_at <= d.dispatched_at) free
   WHERE d.run_id = $1`;

export async function workflowsScenario(): Promise<ScenarioResult> {
  const database = 'subforge_bench_workflows';
  const stores = await freshStores(database);
  const env = benchEnv(stores, { JOB_CONCURRENCY: '10' });
  const apiProcess = await startApp({ ...env, ROLE: 'api' });
  const worker = await startApp({ ...env, ROLE: 'worker' });
  const clients: AgentProcess[] = [];
  try {
    const keys: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agent = await api<{ id: string }>(apiProcess.url, '/api/v2/agents', {
        method: 'POST',
        body: JSON.stringify({
          name: `bench-agent-${i}`,
          agent_type: 'bench',
          max_concurrent_tasks: 1,
        }),
      });
      const key = await api<{ key: string }>(apiProcess.url, '/api/v2/auth/api-keys', {
        method: 'POST',
        body: JSON.stringify({ name: `bench agent ${i}`, role: 'agent', agent_id: agent.id }),
      });
      keys.push(key.key);
    }
    const perProcess = Math.ceil(AGENTS / CLIENT_PROCESSES);
    for (let i = 0; i < AGENTS; i += perProcess)
      clients.push(agentProcess(apiProcess.url, keys.slice(i, i + perProcess)));
    await Promise.all(clients.map((client) => client.ready));

    const workflow = await api<{ id: string }>(apiProcess.url, '/api/v2/workflows', {
      method: 'POST',
      body: JSON.stringify({ name: 'bench layers', steps: layeredSteps() }),
    });
    const executeStarted = performance.now();
    const { run_id: runId } = await api<{ run_id: string }>(
      apiProcess.url,
      `/api/v2/workflows/${workflow.id}/execute`,
      {
        method: 'POST',
        body: '{}',
      },
    );
    const executeMs = performance.now() - executeStarted;
    const deadline = Date.now() + 600_000;
    for (;;) {
      const [run] = await query<{ status: string }>(
        stores.DATABASE_URL,
        'SELECT status FROM workflow_runs WHERE id = $1',
        [runId],
      );
      if (run.status === 'completed') break;
      if (run.status !== 'running' || Date.now() > deadline)
        throw new Error(`the run is ${run.status}`);
      await sleep(100);
    }
    const [span] = await query<{ seconds: number; dispatches: number; once: boolean }>(
      stores.DATABASE_URL,
      `SELECT extract(epoch FROM completed_at - started_at)::float8 AS seconds,
              (SELECT count(*)::int FROM workflow_step_dispatches WHERE run_id = $1) AS dispatches,
              (SELECT count(DISTINCT task_id) = count(*) FROM workflow_step_dispatches WHERE run_id = $1) AS once
         FROM workflow_runs WHERE id = $1`,
      [runId],
    );
    const rows = await query<{ ms: number; raw_ms: number; from_creation_ms: number }>(
      stores.DATABASE_URL,
      LATENCY_SQL,
      [runId],
    );
    const latency = summarize(rows.map((row) => row.ms));
    const raw = summarize(rows.map((row) => row.raw_ms));
    const fromCreation = summarize(rows.map((row) => row.from_creation_ms));
    // The last acknowledgements may still be on their way when the run completes.
    await sleep(1_000);
    const counts = await Promise.all(clients.splice(0).map((client) => client.stop()));
    const completed = counts.reduce((sum, count) => sum + count.completed, 0);
    const refused = counts.reduce((sum, count) => sum + count.refused, 0);
    const retried = counts.reduce((sum, count) => sum + count.retried, 0);
    const steps = LAYERS * WIDTH;
    return {
      title: `Workflow orchestration: ${LAYERS} layers × ${WIDTH} steps on ${AGENTS} agents`,
      description: `One run of ${steps} steps (each step of a layer depends on two of the layer before) dispatched by a \`ROLE=worker\` process to ${AGENTS} instant scripted agents (socket clients in ${CLIENT_PROCESSES} processes, \`task_complete\` as soon as \`task_assigned\` arrives) through a \`ROLE=api\` process. The execute request is timed end to end by the client (it writes the run's tasks, edges and steps, starts the run, announces them and requests their dispatch); total time from the run's start (its rows written) to its completion; dispatch latency from stored timestamps: from the moment a step was ready (the run started, or its last dependency completed) or, when later, the moment the agent that took it became free, to its assignment.`,
      figures: [
        {
          section: 'workflows',
          name: 'execute request, end to end',
          value: round(executeMs),
          unit: 'ms',
        },
        { section: 'workflows', name: 'total time', value: round(span.seconds), unit: 's' },
        {
          section: 'workflows',
          name: 'steps per second',
          value: round(steps / span.seconds),
          unit: 'steps/s',
        },
        {
          section: 'workflows',
          name: 'dispatches (each step once)',
          value: span.dispatches,
          unit:
            span.once && span.dispatches === steps
              ? `of ${steps}, each once`
              : `of ${steps}: NOT each once`,
          note: `reports the agents sent: ${completed} accepted, ${refused} refused; ${retried} sent again after a 503`,
        },
        {
          section: 'workflows',
          name: 'dispatch latency p50',
          value: round(latency.p50),
          unit: 'ms',
        },
        {
          section: 'workflows',
          name: 'dispatch latency p99',
          value: round(latency.p99),
          unit: 'ms',
          target: '≤ 100 ms',
          met: latency.p99 <= 100,
        },
        {
          section: 'workflows',
          name: 'dispatch latency p99, the first layer counted from the run’s `created_at`',
          value: round(fromCreation.p99),
          unit: 'ms',
          note: 'the writing of the run included: `created_at` is the start of the execute request’s transaction (until 2026-12-07’s eighth stop, the figure above counted from a `started_at` stamped partway into it)',
        },
        {
          section: 'workflows',
          name: 'ready → assigned p50 (waits for agents included)',
          value: round(raw.p50),
          unit: 'ms',
        },
        {
          section: 'workflows',
          name: 'ready → assigned p99 (waits for agents included)',
          value: round(raw.p99),
          unit: 'ms',
        },
      ],
    };
  } finally {
    for (const client of clients) await client.stop().catch(() => undefined);
    await worker.stop();
    await apiProcess.stop();
    if (!process.env.BENCH_KEEP_DATABASE) await dropDatabase(database);
  }
}
