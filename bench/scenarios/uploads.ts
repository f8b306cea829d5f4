import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { BENCH_ADMIN_KEY, benchEnv, startApp } from '../lib/app.js';
import { distPath, rssOf, runClient, startProcess } from '../lib/proc.js';
import type { ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { dropDatabase, freshStores } from '../lib/stores.js';

/** 24 uploads of 40 MiB, 4 at a time; BENCH_UPLOAD_MB / _COUNT scale it. */
const FILE_MB = Number(process.env.BENCH_UPLOAD_MB ?? 40);
const COUNT = Number(process.env.BENCH_UPLOAD_COUNT ?? 24);
const CONCURRENCY = 4;

interface UploadRun {
  bytes: number;
  seconds: number;
  statuses: Record<string, number>;
}

/** Runs the upload client while sampling the server's resident memory. */
async function measure(url: string, path: string, pid: number, headers: Record<string, string>) {
  const before = await rssOf(pid);
  let peak = before;
  const sampler = setInterval(() => {
    void rssOf(pid).then((rss) => (peak = Math.max(peak, rss)));
  }, 25);
  try {
    const run = await runClient<UploadRun>('bench/clients/upload-client.js', {
      url,
      path,
      headers,
      fileBytes: FILE_MB * 1024 * 1024,
      count: COUNT,
      concurrency: CONCURRENCY,
    });
    if (Object.keys(run.statuses).some((status) => !status.startsWith('2')))
      throw new Error(`uploads refused: ${JSON.stringify(run.statuses)}`);
    return { ...run, mbPerSecond: run.bytes / 1024 / 1024 / run.seconds, growth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

export async function uploadsScenario(): Promise<ScenarioResult> {
  const database = 'subforge_bench_uploads';
  const uploadDir = resolve('.data/bench/uploads-scenario');
  const stores = await freshStores(database);
  const express = await startProcess(distPath('bench/clients/express-baseline.js'), {});
  let plain;
  try {
    plain = await measure(express.url, '/upload', express.pid, {});
  } finally {
    await express.stop();
  }
  const app = await startApp(
    benchEnv(stores, { UPLOAD_DIR: uploadDir, MAX_FILE_SIZE: String((FILE_MB + 1) * 1024 * 1024) }),
  );
  try {
    const ours = await measure(app.url, '/api/v2/files/upload/data_files', app.pid, {
      'X-API-Key': BENCH_ADMIN_KEY,
    });
    const total = `${COUNT} × ${FILE_MB} MiB, ${CONCURRENCY} at a time`;
    return {
      title: `File uploads: ${total}`,
      description: `Multipart uploads of a \`.log\` text file (${total}) from a client process, into \`/api/v2/files/upload/data_files\` (streamed to disk with the content checked as it passes: UTF-8 without NUL, size limits, SHA-256, then one row per file) against a plain express route that pipes the raw body to a file. Memory: the server's peak resident memory during the uploads minus before (sampled every 25 ms).`,
      figures: [
        {
          section: 'uploads',
          name: 'plain express (raw body piped to disk)',
          value: round(plain.mbPerSecond),
          unit: 'MiB/s',
        },
        {
          section: 'uploads',
          name: 'upload throughput',
          value: round(ours.mbPerSecond),
          unit: 'MiB/s',
          baseline: { name: 'plain express', value: round(plain.mbPerSecond), unit: 'MiB/s' },
          ratio: round(ours.mbPerSecond / plain.mbPerSecond),
        },
        {
          section: 'uploads',
          name: 'server memory growth during uploads',
          value: round(ours.growth / 1024 / 1024),
          unit: 'MiB',
          baseline: {
            name: 'plain express',
            value: round(plain.growth / 1024 / 1024),
            unit: 'MiB',
          },
          note: `${CONCURRENCY} uploads of ${FILE_MB} MiB in flight: buffering them would take ${CONCURRENCY * FILE_MB} MiB`,
        },
      ],
    };
  } finally {
    await app.stop();
    rmSync(uploadDir, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP_DATABASE) await dropDatabase(database);
  }
}
