import { api, benchEnv, startApp } from '../lib/app.js';
import { runClient, sleep } from '../lib/proc.js';
import type { ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { BENCH_REDIS_URL, dropDatabase, freshStores, query } from '../lib/stores.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const CONCURRENCY = 10;

export async function jobsScenario(): Promise<ScenarioResult> {
  const bare = await runClient<{ jobs_per_second: number; seconds: number }>('bench/clients/bare-bull.js', {
    redisUrl: BENCH_REDIS_URL,
    count: JOBS,
    concurrency: CONCURRENCY,
  });

  const database = 'subforge_bench_jobs';
  const stores = await freshStores(database);
  const apiProcess = await startApp(benchEnv(stores, { ROLE: 'api' }));
  let throughput: number;
  let seconds: number;
  try {
    // Submit everything first (no worker yet), through the REST API.
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < JOBS) {
          next++;
          await api(apiProcess.url, '/api/v2/background-tasks', { method: 'POST', body: JSON.stringify({ task_name: 'bench.noop' }) });
        }
      }),
    );
    const worker = await startApp(benchEnv(stores, { ROLE: 'worker', JOB_CONCURRENCY: String(CONCURRENCY) }));
    try {
      const deadline = Date.now() + 300_000;
      for (;;) {
        const [{ done }] = await query<{ done: number }>(stores.DATABASE_URL, `SELECT count(*)::int AS done FROM background_tasks WHERE status = 'completed' AND NOT internal`);
        if (done >= JOBS) break;
        if (Date.now() > deadline) throw new Error(`only ${done} of ${JOBS} jobs completed`);
        await sleep(100);
      }
      const [span] = await query<{ seconds: number; events: number }>(
        stores.DATABASE_URL,
        `SELECT extract(epoch FROM max(completed_at) - min(started_at))::float AS seconds,
                (SELECT count(*)::int FROM events WHERE type = 'job_update') AS events
         FROM background_tasks WHERE NOT internal`,
      );
      seconds = span.seconds;
      throughput = JOBS / seconds;
    } finally {
      await worker.stop();
    }
  } finally {
    await apiProcess.stop();
  }
  await dropDatabase(database);
  const ratio = throughput / bare.jobs_per_second;
  return {
    title: 'Jobs through the whole system vs bare Bull',
    description: `${JOBS} no-op jobs at concurrency ${CONCURRENCY} on one worker process, the same Redis. Whole system: submitted over REST (not timed), then processed by a \`ROLE=worker\` process with durable records in PostgreSQL and \`job_update\` events; timed from the first start to the last completion recorded. Bare Bull: \`addBulk\` then \`process\`, timed the same way.`,
    figures: [
      { section: 'jobs', name: 'bare Bull', value: bare.jobs_per_second, unit: 'jobs/s' },
      {
        section: 'jobs',
        name: 'whole system (records + events)',
        value: throughput,
        unit: 'jobs/s',
        baseline: { name: 'bare Bull', value: bare.jobs_per_second, unit: 'jobs/s' },
        ratio: round(ratio),
        target: '≥ 0.3× (stretch 0.5×)',
        met: ratio >= 0.3,
        note: `${round(seconds, 2)} s for ${JOBS} jobs`,
      },
    ],
  };
}
