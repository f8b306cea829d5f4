import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseEnv,
  createTestStores,
  runUntilExit,
  spawnService,
  startTestApp,
  TEST_ADMIN_KEY,
  type Env,
  type SpawnedApp,
  type TestApp,
  type TestStores,
} from './support/app.js';
import { dropTestDatabase, recreateDatabase } from './support/database.js';
import { DATABASE_PREFIX, randomSuffix } from './support/env.js';
import { apiKey } from './support/identities.js';
import { runJob } from './support/jobs.js';
import { closing, filesForm, newBoundary, partHeader } from './support/multipart.js';
import { pollUntil } from './support/poll.js';
import { listFiles, s3StoreView } from './support/store-view.js';
import { TcpProxy } from './support/tcp-proxy.js';

const admin = apiKey(TEST_ADMIN_KEY);
const MiB = 1024 * 1024;

type S3View = Awaited<ReturnType<typeof s3StoreView>>;

async function rowCount(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n as number;
  } finally {
    await client.end();
  }
}

/** Runs the compiled restore CLI with `env`; resolves with its exit code and output. */
function restoreCli(location: string, env: Env): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, [resolve('dist/src/backup/restore-cli.js'), location], {
    env: { PATH: process.env.PATH, ...baseEnv(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveExit) => proc.once('exit', (code) => resolveExit({ code, output })));
}

describe('files on S3: an api and a worker with no common directory', () => {
  let s3: S3View;
  let stores: TestStores;
  let api: TestApp;
  let worker: SpawnedApp;
  let apiDir: string;
  let workerDir: string;
  const databases: string[] = [];

  beforeAll(async () => {
    s3 = await s3StoreView();
    stores = await createTestStores();
    apiDir = await mkdtemp(join(tmpdir(), 'subforge-api-'));
    workerDir = await mkdtemp(join(tmpdir(), 'subforge-worker-'));
    api = await startTestApp(stores, { ...s3.env, ROLE: 'api', UPLOAD_DIR: apiDir });
    worker = await spawnService({
      ...stores.env,
      ...s3.env,
      ROLE: 'worker',
      UPLOAD_DIR: workerDir,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await stores?.drop();
    for (const name of databases) await dropTestDatabase(name);
    await s3?.close();
    for (const dir of [apiDir, workerDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('upload on the api, validation on the worker, download on the api: all through the bucket', async () => {
    const content = JSON.stringify({ pipeline: 'nightly', steps: [1, 2, 3] });
    const form = filesForm([{ filename: 'plan.json', content }]);
    const uploaded = await api
      .http()
      .post('/api/v2/files/upload/data_files')
      .set(admin)
      .set('Content-Type', form.contentType)
      .send(form.body)
      .expect(201);
    const id = uploaded.body.files[0].id as string;

    // The worker's files.validate job reads the object from the bucket.
    const validated = await pollUntil(
      async () => (await api.http().get(`/api/v2/files/${id}`).set(admin).expect(200)).body,
      (body) => body.validation !== null,
      { timeoutMs: 30_000, everyMs: 100 },
    );
    expect(validated.validation).toMatchObject({ status: 'valid', validation_type: 'json' });

    const downloaded = await api.http().get(`/api/v2/files/${id}/download`).set(admin).expect(200);
    expect(downloaded.text).toBe(content);
    expect(await s3.keys()).toEqual([expect.stringMatching(/^data_files\/[0-9a-f-]{36}$/)]);
    // Neither process wrote to its own directory.
    expect(await listFiles(apiDir)).toEqual([]);
    expect(await listFiles(workerDir)).toEqual([]);
  });

  it('backup on the worker into the bucket; `npm run restore -- s3://…` restores it', async () => {
    await api
      .http()
      .post('/api/v2/agents')
      .set(admin)
      .send({ name: 'restored-from-s3', agent_type: 'backend' })
      .expect(201);
    const job = await runJob(api, 'system.backup', { backup_type: 'full' });
    expect(job.status, job.error ?? '').toBe('completed');
    const [row] = await api.service.app
      .get(DataSource)
      .query('SELECT storage_key FROM files WHERE id = $1', [job.result.file_id]);
    const location = `s3://${s3.bucket}/subforge/files/${row.storage_key as string}`;
    expect(await s3.keys()).toContain(row.storage_key);
    expect(await listFiles(workerDir)).toEqual([]);

    const name = DATABASE_PREFIX + randomSuffix();
    databases.push(name);
    const target = await recreateDatabase(name);
    // The restoring machine has only the S3 variables, not the service's FILE_STORE.
    const { FILE_STORE: _store, S3_BUCKET: _bucket, S3_PREFIX: _prefix, ...s3Access } = s3.env;
    const run = await restoreCli(location, { ...s3Access, DATABASE_URL: target });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`${job.result.total_rows as number} rows`);
    expect(await rowCount(target, 'agents')).toBe(
      await rowCount(stores.env.DATABASE_URL!, 'agents'),
    );

    const missing = await restoreCli(`s3://${s3.bucket}/no/such/backup.ndjson.gz`, {
      ...s3Access,
      DATABASE_URL: target,
    });
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/cannot read s3:\/\/.*no such object/);
  });
});

describe('files on S3: start-up and a network cut', () => {
  let s3: S3View;
  let proxy: TcpProxy;
  let stores: TestStores;
  let app: TestApp;

  beforeAll(async () => {
    s3 = await s3StoreView();
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(s3.server.endpoint).port));
    stores = await createTestStores();
    app = await startTestApp(stores, {
      ...s3.env,
      S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
      MAX_FILE_SIZE: String(64 * MiB),
      RATE_LIMIT_UPLOAD: '100000',
    });
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
    await proxy?.close();
    await s3?.close();
  });

  it('refuses to start when the bucket is missing, naming S3_BUCKET', async () => {
    const missing = await runUntilExit({
      ...stores.env,
      ...s3.env,
      S3_BUCKET: 'no-such-bucket',
    });
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(
      /S3 bucket .{0,2}"no-such-bucket.{0,2}" \(S3_BUCKET\).*does not exist/,
    );
  });

  it('a cut between the service and the bucket mid-upload answers 503 and leaves no object and no row', async () => {
    const rowsBefore = await rowCount(stores.env.DATABASE_URL!, 'files');
    const boundary = newBoundary();
    const size = 40 * MiB;
    const chunk = Buffer.alloc(MiB, 'a');
    let sent = 0;
    const response = await new Promise<{ status: number; body: string }>((resolvePost, reject) => {
      const request = httpRequest(
        `${app.url}/api/v2/files/upload/data_files`,
        {
          method: 'POST',
          headers: { ...admin, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        },
        (answer) => {
          let text = '';
          answer.setEncoding('utf8');
          answer.on('data', (piece: string) => (text += piece));
          answer.on('end', () => resolvePost({ status: answer.statusCode ?? 0, body: text }));
        },
      );
      request.on('error', reject);
      request.write(partHeader(boundary, { name: 'files', filename: 'cut.log' }));
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          // Several parts are in the bucket's hands by now: the network goes.
          if (sent === 16 * MiB) proxy.cut('reset');
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
        request.write('\r\n');
        request.end(closing(boundary));
      };
      pump();
    });
    expect(response.status, response.body).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({
      status_code: 503,
      message: expect.stringMatching(/file store is unavailable/),
    });
    proxy.restore();
    expect(await s3.keys()).toEqual([]);
    expect(await rowCount(stores.env.DATABASE_URL!, 'files')).toBe(rowsBefore);

    // With the network back, the same service stores again.
    const form = filesForm([{ filename: 'after.txt', content: 'back' }]);
    const again = await app
      .http()
      .post('/api/v2/files/upload/data_files')
      .set(admin)
      .set('Content-Type', form.contentType)
      .send(form.body)
      .expect(201);
    expect(again.body.files[0].checksum).toBe(createHash('sha256').update('back').digest('hex'));
  });
});
