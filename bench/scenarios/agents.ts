import { api, benchEnv, BENCH_ADMIN_KEY, startApp } from '../lib/app.js';
import { runClient } from '../lib/proc.js';
import type { ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { dropDatabase, freshStores } from '../lib/stores.js';
import type { ListTarget } from './http.js';

const AGENT_TYPES = [
  'frontend-developer',
  'backend-developer',
  'code-reviewer',
  'test-engineer',
  'devops',
];

/** 1,000 agents created through the API behind `GET /api/v2/agents?limit=20`. */
export const AGENTS_LIST: ListTarget = {
  label: 'GET /api/v2/agents?limit=20 (1,000 agents)',
  path: '/api/v2/agents?limit=20',
  dataTwin: 'bench/clients/nest-data-twin.js',
  seed: async (_databaseUrl, serviceUrl) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 1000) {
          const n = next++;
          await api(serviceUrl, '/api/v2/agents', {
            method: 'POST',
            body: JSON.stringify({
              name: `agent-${n}`,
              agent_type: AGENT_TYPES[n % AGENT_TYPES.length],
              description: `Benchmark agent number ${n}`,
              tools: ['read', 'write', 'bash'],
              capabilities: ['typescript', 'testing'],
              tags: [`team-${n % 10}`],
            }),
          });
        }
      }),
    );
  },
};

const BATCH = 1000;
const CONNECTIONS = 8;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const WARM_UP = 2;

export async function logIngestionScenario(): Promise<ScenarioResult> {
  const database = 'subforge_bench_logs';
  const stores = await freshStores(database);
  const app = await startApp(benchEnv(stores));
  try {
    const agent = await api<{ id: string }>(app.url, '/api/v2/agents', {
      method: 'POST',
      body: JSON.stringify({ name: 'logger', agent_type: 'bench' }),
    });
    const levels = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];
    const body = JSON.stringify({
      logs: Array.from({ length: BATCH }, (_, i) => ({
        level: levels[i % 4],
        message: `benchmark line ${i}: the agent did a thing worth logging`,
      })),
    });
    const ingest = (durationSeconds: number) =>
      runClient<{
        requests_per_second: number;
        non2xx: number;
        errors: number;
        latency_p99_ms: number;
      }>('bench/clients/http-load.js', {
        url: `${app.url}/api/v2/agents/${agent.id}/logs`,
        method: 'POST',
        headers: { 'X-API-Key': BENCH_ADMIN_KEY, 'Content-Type': 'application/json' },
        body,
        connections: CONNECTIONS,
        durationSeconds,
      });
    const insert = (seconds: number) =>
      runClient<{ lines_per_second: number }>('bench/clients/pg-log-insert.js', {
        databaseUrl: stores.DATABASE_URL,
        agentId: agent.id,
        connections: CONNECTIONS,
        seconds,
        batch: BATCH,
      });
    // Each side warms up for WARM_UP s first, as the HTTP reads do.
    await ingest(WARM_UP);
    const http = await ingest(SECONDS);
    if (http.non2xx || http.errors)
      throw new Error(`${http.non2xx} non-2xx and ${http.errors} errors while ingesting`);
    await insert(WARM_UP);
    const raw = await insert(SECONDS);
    const linesPerSecond = http.requests_per_second * BATCH;
    return {
      title: 'Agent log ingestion',
      description: `\`POST /api/v2/agents/{id}/logs\` with batches of ${BATCH} lines (validated, one multi-row INSERT each), ${CONNECTIONS} connections for ${SECONDS} s after a ${WARM_UP} s warm-up, versus the same INSERT sent straight to PostgreSQL from ${CONNECTIONS} connections, timed the same way.`,
      figures: [
        {
          section: 'logs',
          name: 'raw multi-row INSERT',
          value: raw.lines_per_second,
          unit: 'lines/s',
        },
        {
          section: 'logs',
          name: 'through the API',
          value: linesPerSecond,
          unit: 'lines/s',
          baseline: { name: 'raw INSERT', value: raw.lines_per_second, unit: 'lines/s' },
          ratio: round(linesPerSecond / raw.lines_per_second),
          target: '≥ 0.5×',
          met: linesPerSecond / raw.lines_per_second >= 0.5,
          note: `p99 ${http.latency_p99_ms} ms per 1,000-line batch`,
        },
      ],
    };
  } finally {
    await app.stop();
    await dropDatabase(database);
  }
}
