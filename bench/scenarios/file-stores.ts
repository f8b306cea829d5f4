import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_ADMIN_KEY, benchEnv, startApp } from '../lib/app.js';
import { rssOf, runClient, startProcess, type Env, type Service } from '../lib/proc.js';
import type { Figure, ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { dropDatabase, freshStores } from '../lib/stores.js';

/** One file of 200 MiB up and back down; BENCH_STORE_MB scales it. */
const FILE_MB = Number(process.env.BENCH_STORE_MB ?? 200);
const MiB = 1024 * 1024;
const BUCKET = 'bench-files';

/** Samples a process's resident memory every 25 ms while `work` runs; growth = peak - before. */
async function sampled<T>(pid: number, work: () => Promise<T>) {
  const before = await rssOf(pid);
  let peak = before;
  const sampler = setInterval(() => {
    void rssOf(pid).then((rss) => (peak = Math.max(peak, rss)));
  }, 25);
  const started = performance.now();
  try {
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    return { result, seconds, growth: Math.max(peak, await rssOf(pid)) - before };
  } finally {
    clearInterval(sampler);
  }
}

/** Streams a download, counting and hashing it (the client keeps nothing). */
function download(url: string): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolveDownload, reject) => {
    get(url, { headers: { 'X-API-Key': BENCH_ADMIN_KEY } }, (response) => {
      const hash = createHash('sha256');
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      response.once('end', () => resolveDownload({ bytes, sha256: hash.digest('hex') }));
      response.once('error', reject);
    }).once('error', reject);
  });
}

async function run(kind: string, env: Env) {
  const app = await startApp(env);
  try {
    const upload = () =>
      runClient<{ statuses: Record<string, number>; ids: string[] }>(
        'bench/clients/upload-client.js',
        {
          url: app.url,
          path: '/api/v2/files/upload/data_files',
          headers: { 'X-API-Key': BENCH_ADMIN_KEY },
          fileBytes: FILE_MB * MiB,
          count: 1,
          concurrency: 1,
        },
      );
    // Warm-up: lazily loaded code and pooled connections are not growth.
    await runClient('bench/clients/upload-client.js', {
      url: app.url,
      path: '/api/v2/files/upload/data_files',
      headers: { 'X-API-Key': BENCH_ADMIN_KEY },
      fileBytes: MiB,
      count: 1,
      concurrency: 1,
    });
    const up = await sampled(app.pid, upload);
    if (!up.result.statuses['201']) throw new Error(`${kind}: upload refused`);
    const id = up.result.ids[0];
    const down = await sampled(app.pid, () => download(`${app.url}/api/v2/files/${id}/download`));
    if (down.result.bytes !== FILE_MB * MiB) throw new Error(`${kind}: short download`);
    return { up, down };
  } finally {
    await app.stop();
  }
}

function figures(kind: string, measured: Awaited<ReturnType<typeof run>>): Figure[] {
  const mbps = (seconds: number) => round(FILE_MB / seconds);
  return [
    { section: kind, name: `${kind}: upload`, value: mbps(measured.up.seconds), unit: 'MiB/s' },
    {
      section: kind,
      name: `${kind}: server memory growth during the upload`,
      value: round(measured.up.growth / MiB),
      unit: 'MiB',
      target: '< 64',
      met: measured.up.growth < 64 * MiB,
    },
    { section: kind, name: `${kind}: download`, value: mbps(measured.down.seconds), unit: 'MiB/s' },
    {
      section: kind,
      name: `${kind}: server memory growth during the download`,
      value: round(measured.down.growth / MiB),
      unit: 'MiB',
      target: '< 64',
      met: measured.down.growth < 64 * MiB,
    },
  ];
}

export async function fileStoresScenario(): Promise<ScenarioResult> {
  const database = 'subforge_bench_file_stores';
  const uploadDir = resolve('.data/bench/file-stores');
  const s3Dir = mkdtempSync(join(tmpdir(), 'subforge-bench-s3rver-'));
  const limit = { MAX_FILE_SIZE: String((FILE_MB + 1) * MiB) };
  let s3rver: Service | undefined;
  try {
    const local = await run(
      'local',
      benchEnv(await freshStores(database), { ...limit, UPLOAD_DIR: uploadDir }),
    );
    s3rver = await startProcess(
      resolve('node_modules/s3rver/bin/s3rver.js'),
      {},
      /listening on ([\d.]+:\d+)/,
      ['-d', s3Dir, '-a', '127.0.0.1', '-p', '0', '--configure-bucket', BUCKET],
    );
    const s3 = await run(
      's3',
      benchEnv(await freshStores(database), {
        ...limit,
        UPLOAD_DIR: uploadDir,
        FILE_STORE: 's3',
        S3_ENDPOINT: `http://${s3rver.url}`,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_FORCE_PATH_STYLE: 'true',
      }),
    );
    return {
      title: `File stores: one ${FILE_MB} MiB file up and down, local disk vs S3 (s3rver)`,
      description: `One multipart upload of a ${FILE_MB} MiB \`.log\` file into \`/api/v2/files/upload/data_files\` from a client process, then its download, first with \`FILE_STORE=local\`, then with \`FILE_STORE=s3\` against s3rver (a real S3-protocol server on loopback, its own process, storing on the same disk). The S3 store streams 5 MiB parts, two in flight. Memory: the server's peak resident memory during each transfer minus before (sampled every 25 ms), after a 1 MiB warm-up upload.`,
      figures: [...figures('local', local), ...figures('s3', s3)],
    };
  } finally {
    await s3rver?.stop();
    rmSync(s3Dir, { recursive: true, force: true });
    rmSync(uploadDir, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP_DATABASE) await dropDatabase(database);
  }
}
