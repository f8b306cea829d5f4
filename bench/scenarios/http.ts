import { api, benchEnv, BENCH_ADMIN_KEY, startApp } from '../lib/app.js';
import { distPath, runClient, type Service, sleep, startProcess } from '../lib/proc.js';
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
  await runClient<Load>('bench/clients/http-load.js', {
    url,
    headers,
    connections: CONNECTIONS,
    durationSeconds: 2,
  });
  const result = await runClient<Load>('bench/clients/http-load.js', {
    url,
    headers,
    connections: CONNECTIONS,
    durationSeconds: SECONDS,
  });
  if (result.non2xx || result.errors)
    throw new Error(`${url}: ${result.non2xx} non-2xx and ${result.errors} errors under load`);
  return result;
}

/** The list route measured, and how to fill the store behind it. */
export interface ListTarget {
  path: string;
  seed(databaseUrl: string, serviceUrl: string): Promise<void>;
  label: string;
  /**
   * A compiled client: the bare twin doing only this list's data round trips, raw, as
   * `GET /cached` and `GET /uncached`.
   */
  dataTwin?: string;
}

export async function httpScenario(target: ListTarget, key: string): Promise<ScenarioResult> {
  const figures: Figure[] = [];
  const database = `subforge_bench_${key}`;
  const stores = await freshStores(database);
  const headers = { 'X-API-Key': BENCH_ADMIN_KEY };
  // The twins, up for the whole scenario and measured between our runs (interleaved).
  const express = await startProcess(distPath('bench/clients/express-baseline.js'), {});
  const nest = await startProcess(distPath('bench/clients/nest-baseline.js'), {});
  let dataTwin: Service | undefined;
  const bareRuns: Load[] = [];
  const bareNest = async () => bareRuns.push(await load(`${nest.url}/ping`));
  let plain: Load;
  let health: Load;
  let cachedLoad: Load;
  let uncachedLoad: Load;
  const twins: { cached?: Load; uncached?: Load } = {};
  try {
    plain = await load(`${express.url}/ping`);
    const cached = await startApp(benchEnv(stores));
    try {
      await target.seed(stores.DATABASE_URL, cached.url);
      // A twin that cannot start leaves its figures out, not the scenario.
      dataTwin = target.dataTwin
        ? await startProcess(distPath(target.dataTwin), {
            TWIN_DATABASE_URL: stores.DATABASE_URL,
            TWIN_REDIS_URL: stores.REDIS_URL,
            TWIN_LIST_URL: cached.url + target.path,
            TWIN_API_KEY: BENCH_ADMIN_KEY,
          }).catch((error: Error) => {
            process.stderr.write(`the data twin did not start: ${error.message}\n`);
            return undefined;
          })
        : undefined;
      await bareNest();
      health = await load(`${cached.url}/health`);
      await bareNest();
      cachedLoad = await load(cached.url + target.path, headers);
      if (dataTwin) twins.cached = await load(`${dataTwin.url}/cached`);
      await bareNest();
    } finally {
      await cached.stop();
    }
    const uncached = await startApp(benchEnv(stores, { CACHE_ENABLED: 'false' }));
    try {
      uncachedLoad = await load(uncached.url + target.path, headers);
      if (dataTwin) twins.uncached = await load(`${dataTwin.url}/uncached`);
      await bareNest();
    } finally {
      await uncached.stop();
    }
  } finally {
    await dataTwin?.stop();
    await express.stop();
    await nest.stop();
  }
  await dropDatabase(database);

  const bareValue =
    bareRuns.reduce((sum, run) => sum + run.requests_per_second, 0) / bareRuns.length;
  const bareRates = bareRuns.map((run) => Math.round(run.requests_per_second));
  const bare = { name: 'bare Nest route', value: bareValue, unit: 'req/s' };
  const vsBare = (load: Load) => load.requests_per_second / bareValue;
  // The twin with the list's round trips has no target of its own: it shows what they cost.
  const twinFigure = (twinLoad: Load | undefined, name: string): Figure[] =>
    twinLoad
      ? [
          {
            section: 'http',
            name,
            value: twinLoad.requests_per_second,
            unit: 'req/s',
            baseline: bare,
            ratio: round(vsBare(twinLoad)),
            note: `p99 ${twinLoad.latency_p99_ms} ms`,
          },
        ]
      : [];
  figures.push(
    {
      section: 'http',
      name: 'bare NestJS 12 + express, one JSON route (GET /ping)',
      value: bareValue,
      unit: 'req/s',
      note: `mean of ${bareRuns.length} runs interleaved with ours: ${bareRates.join(', ')} req/s; p99 ${bareRuns.map((run) => run.latency_p99_ms).join(', ')} ms`,
    },
    {
      section: 'http',
      name: 'plain express (one JSON route)',
      value: plain.requests_per_second,
      unit: 'req/s',
      baseline: bare,
      ratio: round(plain.requests_per_second / bareValue),
    },
    {
      section: 'http',
      name: 'our GET /health (public)',
      value: health.requests_per_second,
      unit: 'req/s',
      baseline: bare,
      ratio: round(vsBare(health)),
      target: '≥ 0.8×',
      met: vsBare(health) >= 0.8,
      note: `p99 ${health.latency_p99_ms} ms`,
    },
    {
      section: 'http',
      name: `${target.label}, authenticated, cached, rate-limited`,
      value: cachedLoad.requests_per_second,
      unit: 'req/s',
      baseline: bare,
      ratio: round(vsBare(cachedLoad)),
      target: '≥ 0.6×',
      met: vsBare(cachedLoad) >= 0.6,
      note: `${round(cachedLoad.requests_per_second / health.requests_per_second)}× our GET /health${twins.cached ? `; ${round(cachedLoad.requests_per_second / twins.cached.requests_per_second)}× the twin below` : ''}`,
    },
    ...twinFigure(
      twins.cached,
      'the bare twin with one Redis INCR and the cached answer’s GET per request (nothing else)',
    ),
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
      name: `${target.label}, authenticated, cache off, rate-limited`,
      value: uncachedLoad.requests_per_second,
      unit: 'req/s',
      baseline: bare,
      ratio: round(vsBare(uncachedLoad)),
      target: '≥ 0.3×',
      met: vsBare(uncachedLoad) >= 0.3,
      note: `${round(uncachedLoad.requests_per_second / health.requests_per_second)}× our GET /health${twins.uncached ? `; ${round(uncachedLoad.requests_per_second / twins.uncached.requests_per_second)}× the twin below` : ''}`,
    },
    ...twinFigure(
      twins.uncached,
      'the bare twin with the list’s two statements per request over pg (no ORM, nothing else)',
    ),
    {
      section: 'http',
      name: `${target.label}, uncached: p99 latency at ${CONNECTIONS} connections`,
      value: uncachedLoad.latency_p99_ms,
      unit: 'ms',
    },
  );
  return {
    title: `HTTP reads: ${target.label}`,
    description: `autocannon, ${CONNECTIONS} connections, ${SECONDS} s after a 2 s warm-up, in its own process. The bare twin is a NestJS 12 + express app with one JSON route and no middleware (its own process, same versions), measured between our runs in the same scenario; every ratio is ours / its mean. Ours: helmet, CORS, request id, access log, API metrics, the limiter (limits above the load); "plain express" is a one-route express app. The twins with the list's round trips are the bare twin doing only those, raw, per request (\`bench/clients/nest-data-twin.ts\`): ours does more per request, but reads the figures of agents asked for together in one statement, and all 64 connections ask for the same page, so concurrent uncached requests share one figures statement.`,
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
