import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { api, benchEnv, startApp } from '../lib/app.js';
import { sleep } from '../lib/proc.js';
import type { ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { BENCH_PREFIX, BENCH_REDIS_URL, dropDatabase, freshStores, query } from '../lib/stores.js';

/** 500 runs of 5 phases, 10 tasks and 3 activities each, and 20 agent files; BENCH_SUBFORGE_RUNS scales it. */
const RUNS = Number(process.env.BENCH_SUBFORGE_RUNS ?? 500);
const AGENT_FILES = 20;
const PHASES = ['requirements', 'analysis', 'design', 'implementation', 'validation'];

function context(index: number) {
  const started = Date.now() - (RUNS - index) * 60_000;
  const at = (minutes: number) => new Date(started + minutes * 60_000).toISOString();
  const done = index % 4 !== 0;
  return {
    project_id: `project-${index}`,
    user_request: `Request ${index}`,
    status: done ? 'completed' : 'active',
    created_at: at(0),
    updated_at: at(50),
    ...(done ? { completed_at: at(50) } : {}),
    phase_results: Object.fromEntries(
      PHASES.map((phase, p) => [
        phase,
        {
          phase,
          status: done || p < 3 ? 'completed' : p === 3 ? 'in_progress' : 'pending',
          start_time: at(p * 10),
          end_time: at(p * 10 + 9),
          duration: 540,
          outputs: { notes: `output of ${phase}` },
        },
      ]),
    ),
    deployed_agents: [0, 1, 2].map((a) => ({ name: `agent-${(index + a) % AGENT_FILES}` })),
    tasks: Array.from({ length: 10 }, (_, t) => ({
      id: `t${t}`,
      title: `Task ${t} of run ${index}`,
      status: done || t < 6 ? 'completed' : 'in_progress',
      phase: PHASES[t % PHASES.length],
      assigned_agent: `agent-${(index + t) % AGENT_FILES}`,
      dependencies: t ? [`t${t - 1}`] : [],
      completed_at: at(t * 5),
    })),
    agent_activities: [0, 1, 2].map((a) => ({
      agent_name: `agent-${(index + a) % AGENT_FILES}`,
      activity_type: 'task_completed',
      description: `Activity ${a}`,
      timestamp: at(a * 10),
    })),
  };
}

function writeProject(root: string): void {
  for (let i = 0; i < RUNS; i++) {
    const dir = join(root, '.subforge', `subforge_bench_${String(i).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'workflow_context.json'), JSON.stringify(context(i), null, 2));
  }
  mkdirSync(join(root, '.claude', 'agents'), { recursive: true });
  for (let a = 0; a < AGENT_FILES; a++)
    writeFileSync(
      join(root, '.claude', 'agents', `agent-${a}.md`),
      `---\nname: agent-${a}\ndescription: Bench agent ${a}\ntools: Read, Edit\nmodel: sonnet\n---\nInstructions.\n`,
    );
}

async function waitForScan(redis: Redis, after: number, timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await redis.get(`${BENCH_PREFIX}:subforge:last_scan`);
    if (last && Date.parse(last) >= after) return Date.now();
    if (Date.now() > deadline) throw new Error('the scan did not finish in time');
    await sleep(20);
  }
}

export async function subforgeScenario(): Promise<ScenarioResult> {
  const database = 'subforge_bench_subforge';
  const stores = await freshStores(database);
  const root = mkdtempSync(join(tmpdir(), 'subforge-bench-'));
  writeProject(root);
  const redis = new Redis(BENCH_REDIS_URL);
  const env = benchEnv(stores, {
    SUBFORGE_ROOT: root,
    SUBFORGE_INTEGRATION_ENABLED: 'true',
    SUBFORGE_SCAN_INTERVAL_SECONDS: '3600',
  });
  const apiProcess = await startApp({ ...env, ROLE: 'api' });
  let worker: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    // The worker takes the watcher lease at start-up and imports the whole directory.
    const started = Date.now();
    worker = await startApp({ ...env, ROLE: 'worker' });
    const ready = Date.now();
    const imported = await waitForScan(redis, ready - 1_000);
    const [counts] = await query<{ runs: number; tasks: number; agents: number }>(
      stores.DATABASE_URL,
      `SELECT (SELECT count(*)::int FROM subforge_runs) AS runs,
              (SELECT count(*)::int FROM tasks) AS tasks,
              (SELECT count(*)::int FROM subforge_agent_files WHERE agent_id IS NOT NULL) AS agents`,
    );
    if (counts.runs !== RUNS) throw new Error(`imported ${counts.runs} of ${RUNS} runs`);

    // Nothing changed: the periodic safety-net scan reads every file and skips them all.
    const rescanFrom = Date.now();
    await api(apiProcess.url, '/api/subforge/scan', { method: 'POST', body: '{}' });
    const rescanned = await waitForScan(redis, rescanFrom);

    // A forced scan re-imports every run (updates in place).
    const forceFrom = Date.now();
    await api(apiProcess.url, '/api/subforge/scan', {
      method: 'POST',
      body: JSON.stringify({ force_rescan: true }),
    });
    const forced = await waitForScan(redis, forceFrom);
    const [after] = await query<{ runs: number; tasks: number }>(
      stores.DATABASE_URL,
      `SELECT (SELECT count(*)::int FROM workflow_runs) AS runs, (SELECT count(*)::int FROM tasks) AS tasks`,
    );

    const listFrom = performance.now();
    const listed = await api<unknown[]>(apiProcess.url, '/api/subforge/workflows');
    const listMs = performance.now() - listFrom;
    const metricsFrom = performance.now();
    await api(apiProcess.url, '/api/subforge/metrics');
    const metricsMs = performance.now() - metricsFrom;

    const importSeconds = (imported - ready) / 1000;
    return {
      title: `SubForge import: ${RUNS} runs and ${AGENT_FILES} agent files`,
      description: `A project directory of ${RUNS} \`.subforge/subforge_*/workflow_context.json\` files (5 phases, 10 tasks with dependencies, 3 activities each: ${RUNS * 15} steps) and ${AGENT_FILES} \`.claude/agents/*.md\` files, imported by a \`ROLE=worker\` process when it takes the watcher lease at start-up (${((ready - started) / 1000).toFixed(1)} s to start, not counted). Each run is one transaction (context row, workflow run, ${15} tasks with their dependencies) with its events. Then a scan with nothing changed, a forced re-import, and the two read routes once (uncached).`,
      figures: [
        {
          section: 'subforge',
          name: `initial import of ${RUNS} runs`,
          value: round(importSeconds),
          unit: 's',
          target: '< 10 s',
          met: importSeconds < 10,
          note: `${counts.tasks} tasks, ${counts.agents} agents`,
        },
        {
          section: 'subforge',
          name: 'runs imported per second',
          value: round(RUNS / importSeconds),
          unit: 'runs/s',
        },
        {
          section: 'subforge',
          name: 'rescan, nothing changed',
          value: round(rescanned - rescanFrom),
          unit: 'ms',
        },
        {
          section: 'subforge',
          name: 'forced re-import of every run',
          value: round((forced - forceFrom) / 1000),
          unit: 's',
          note:
            after.runs === RUNS && after.tasks === counts.tasks
              ? 'nothing duplicated'
              : `DUPLICATES: ${after.runs} runs, ${after.tasks} tasks`,
        },
        {
          section: 'subforge',
          name: `GET /api/subforge/workflows (${listed.length} runs)`,
          value: round(listMs),
          unit: 'ms',
        },
        {
          section: 'subforge',
          name: 'GET /api/subforge/metrics',
          value: round(metricsMs),
          unit: 'ms',
        },
      ],
    };
  } finally {
    await worker?.stop();
    await apiProcess.stop();
    await redis.quit();
    rmSync(root, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP_DATABASE) await dropDatabase(database);
  }
}
