import { api, benchEnv, BENCH_ADMIN_KEY, startApp } from '../lib/app.js';
import { distPath, runClient, sleep, startProcess } from '../lib/proc.js';
import type { Figure, ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { dropDatabase, freshStores, query } from '../lib/stores.js';

interface Load {
  requests_per_second: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  total: number;
  non2xx: number;
  errors: number;
}

const CONNECTIONS = 64;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);

async function load(url: string, headers?: Record<string, string>): Promise<Load> {
  await runClient<Load>('bench/clients/http-load.js', { url, headers, connections: CONNECTIONS, durationSeconds: 2 });
  const result = await runClient<Load>('bench/clients/http-load.js', { url, headers, connections: CONNECTIONS, durationSeconds: SECONDS });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx and ${result.errors} errors under load`);
  return result;
}

/** The list route measured, and how to fill the store behind it. */
export interface ListTarget {
  path: string;
  seed(databaseUrl: string, serviceUrl: string): Promise<void>;
  label: string;
}

export async function httpScenario(target: ListTarget, key: string): Promise<ScenarioResult> {
  const database = `subforge_bench_${key}`;
  const stores = await freshStores(database);
  const headers = { 'X-API-Key': BENCH_ADMIN_KEY };
  const figures: Figure[] = [];
  const express = await startProcess(distPath('bench/clients/express-baseline.js'), {});
  const plain = await load(`${express.url}/ping`);
  await express.stop();

  const cached = await startApp(benchEnv(stores));
  let bare: Load;
  let cachedLoad: Load;
  try {
    await target.seed(stores.DATABASE_URL, cached.url);
    bare = await load(`${cached.url}/health`);
    cachedLoad = await load(cached.url + target.path, headers);
  } finally {
    await cached.stop();
  }
  const uncached = await startApp(benchEnv(stores, { CACHE_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false' }));
  let uncachedLoad: Load;
  try {
    uncachedLoad = await load(uncached.url + target.path, headers);
  } finally {
    await uncached.stop();
  }
  await dropDatabase(database);

  const bareFigure = { name: 'bare Nest route (GET /health)', value: bare.requests_per_second, unit: 'req/s' };
  figures.push(
    { section: 'http', name: 'plain express (one JSON route)', value: plain.requests_per_second, unit: 'req/s' },
    { ...bareFigure, section: 'http', baseline: { name: 'plain express', value: plain.requests_per_second, unit: 'req/s' }, ratio: round(bare.requests_per_second / plain.requests_per_second) },
    {
      section: 'http',
      name: `${target.label}, authenticated, cached, rate-limited`,
      value: cachedLoad.requests_per_second,
      unit: 'req/s',
      baseline: bareFigure,
      ratio: round(cachedLoad.requests_per_second / bare.requests_per_second),
      target: '≥ 0.6×',
      met: cachedLoad.requests_per_second / bare.requests_per_second >= 0.6,
    },
    {
      section: 'http',
      name: `${target.label}, cached: p99 latency at ${CONNECTIONS} connections`,
      value: cachedLoad.latency_p99_ms,
      unit: 'ms',
      target: '≤ 50 ms',
      met: cachedLoad.latency_p99_ms <= 50,
    },
    {
      section: 'http',
      name: `${target.label}, authenticated, cache and rate limits off`,
      value: uncachedLoad.requests_per_second,
      unit: 'req/s',
      baseline: bareFigure,
      ratio: round(uncachedLoad.requests_per_second / bare.requests_per_second),
      target: '≥ 0.3×',
      met: uncachedLoad.requests_per_second / bare.requests_per_second >= 0.3,
    },
    {
      section: 'http',
      name: `${target.label}, uncached: p99 latency at ${CONNECTIONS} connections`,
      value: uncachedLoad.latency_p99_ms,
      unit: 'ms',
      target: '≤ 50 ms',
      met: uncachedLoad.latency_p99_ms <= 50,
    },
  );
  return {
    title: `HTTP reads: ${target.label}`,
    description: `autocannon, ${CONNECTIONS} connections, ${SECONDS} s after a 2 s warm-up, in its own process. "Bare Nest route" is \`GET /health\` of the same service (no credential, no cache, no limiter); "plain express" a one-route express app.`,
    figures,
  };
}

/** 1,000 finished job records behind `GET /api/v2/background-tasks?limit=20`. */
export const JOBS_LIST: ListTarget = {
  label: 'GET /api/v2/background-tasks?limit=20 (1,000 records)',
  path: '/api/v2/background-tasks?limit=20',
  seed: async (databaseUrl) => {
    await query(
      databaseUrl,
      `INSERT INTO background_tasks (id, task_name, queue, status, priority, parameters, created_at, started_at, completed_at)
       SELECT gen_random_uuid(), 'system.cleanup', 'system', 'completed', 'normal', '{"older_than_days": 30}',
              now() - make_interval(secs => g), now() - make_interval(secs => g), now() - make_interval(secs => g - 1)
       FROM generate_series(1, 1000) g`,
    );
    await sleep(100);
  },
};

export { api };
