import { api, BENCH_ADMIN_KEY, benchEnv, startApp } from '../lib/app.js';
import type { Figure, ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { dropDatabase, freshStores } from '../lib/stores.js';

const KEYS = 40_000;
const HEALTH_PROBES = 20;

/** One multipart upload of `content` as `filename`; resolves with its status and time. */
async function upload(url: string, path: string, filename: string, content: string) {
  const form = new FormData();
  form.append('file', new Blob([content]), filename);
  const began = performance.now();
  const response = await fetch(url + path, {
    method: 'POST',
    headers: { 'X-API-Key': BENCH_ADMIN_KEY },
    body: form,
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - began };
}

/** `/health` probes every 25 ms while the upload runs; the worst answer time. */
async function probeWhile(url: string, busy: Promise<unknown>): Promise<number> {
  let worst = 0;
  const probes: Promise<void>[] = [];
  for (let i = 0; i < HEALTH_PROBES; i++) {
    probes.push(
      (async () => {
        const began = performance.now();
        const response = await fetch(`${url}/health`);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`/health answered ${response.status}`);
        worst = Math.max(worst, performance.now() - began);
      })(),
    );
    await new Promise((wait) => setTimeout(wait, 25));
  }
  await Promise.all([busy, ...probes]);
  return worst;
}

export async function parsingScenario(): Promise<ScenarioResult> {
  const database = 'subforge_bench_parsing';
  const stores = await freshStores(database);
  const app = await startApp(benchEnv(stores));
  try {
    const agent = await api<{ id: string }>(app.url, '/api/v2/agents', {
      method: 'POST',
      body: JSON.stringify({ name: 'parse-target', agent_type: 'bench' }),
    });
    const path = `/api/v2/agents/${agent.id}/configuration/upload`;
    const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
    const documents = {
      JSON: ['wide.json', JSON.stringify(Object.fromEntries(keys.map((key, i) => [key, i])))],
      YAML: ['wide.yaml', keys.map((key, i) => `${key}: ${i}`).join('\n')],
    } as const;
    const figures: Figure[] = [];
    for (const [label, [filename, content]] of Object.entries(documents)) {
      const pending = upload(app.url, path, filename, content);
      const worstHealth = await probeWhile(app.url, pending);
      const { status, ms } = await pending;
      if (status >= 500) throw new Error(`${label} upload answered ${status}`);
      figures.push(
        {
          section: 'parsing',
          name: `${label} configuration of ${KEYS} keys: time to answer (${status})`,
          value: round(ms),
          unit: 'ms',
          target: '< 2000 ms',
          met: ms < 2_000,
        },
        {
          section: 'parsing',
          name: `worst /health latency during the ${label} upload`,
          value: round(worstHealth),
          unit: 'ms',
          target: '< 100 ms',
          met: worstHealth < 100,
        },
      );
    }
    return {
      title: `Parsing: ${KEYS}-key configuration uploads`,
      description: `An agent configuration upload of ${KEYS} keys (${Math.round(documents.JSON[1].length / 1024)} KiB as JSON), once as JSON and once as YAML, while ${HEALTH_PROBES} \`GET /health\` requests are sent 25 ms apart. The upload is refused (unknown fields) after a full parse and validation; large texts parse on a worker thread, so the event loop keeps answering.`,
      figures,
    };
  } finally {
    await app.stop();
    if (!process.env.BENCH_KEEP_DATABASE) await dropDatabase(database);
  }
}
