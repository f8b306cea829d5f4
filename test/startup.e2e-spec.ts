import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/infra/net.js';
import {
  baseEnv,
  createTestStores,
  runUntilExit,
  spawnService,
  TestStores,
} from './support/app.js';

async function getStatus(url: string): Promise<number> {
  const response = await fetch(url);
  return response.status;
}

describe('start-up and shutdown of the compiled service', () => {
  let stores: TestStores;
  let dataDir: string;

  beforeAll(async () => {
    stores = await createTestStores();
    // The embedded PostgreSQL runs as the `postgres` user, which must traverse this directory.
    dataDir = mkdtempSync(join(tmpdir(), 'subforge-data-'));
  });

  afterAll(async () => {
    await stores?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs `npm run start:worker` on a fresh clone: the script builds first', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'subforge-clone-'));
    try {
      execFileSync('git', ['clone', '--quiet', resolve('.'), clone]);
      // The installed dependencies, as `npm ci` would leave them; no dist/ in the clone.
      symlinkSync(resolve('node_modules'), join(clone, 'node_modules'));
      const worker = spawn('npm', ['run', 'start:worker'], {
        cwd: clone,
        detached: true,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...baseEnv(),
          ...stores.env,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((done) =>
        worker.once('exit', (code) => done(code)),
      );
      const deadline = Date.now() + 170_000;
      while (!/processing jobs/.test(output) && worker.exitCode === null && Date.now() < deadline)
        await new Promise((wait) => setTimeout(wait, 200));
      const ready = /processing jobs/.test(output);
      if (worker.exitCode === null) process.kill(-worker.pid!, 'SIGTERM');
      await exited;
      expect(ready, output.slice(-3000)).toBe(true);
      expect(output).not.toContain('MODULE_NOT_FOUND');
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  }, 200_000);

  it('shows a generated admin key once, framed, at the end of start-up; a worker never makes one', async () => {
    const fresh = await createTestStores();
    try {
      // A worker starting first on an empty database leaves the key to the API process.
      const worker = await spawnService({ ...fresh.env, ADMIN_API_KEY: '', ROLE: 'worker' });
      await worker.stop();
      expect(worker.output()).not.toContain('X-API-Key:');
      const first = await spawnService({ ...fresh.env, ADMIN_API_KEY: '', ROLE: 'api' });
      await new Promise((wait) => setTimeout(wait, 300));
      await first.stop();
      const output = first.output();
      const key = /\| {3}X-API-Key: (\S+)/.exec(output)?.[1];
      expect(key, output.slice(-2000)).toBeDefined();
      // After the start-up log, not above it.
      expect(output.indexOf('X-API-Key:')).toBeGreaterThan(output.indexOf('listening on'));
      const second = await spawnService({ ...fresh.env, ADMIN_API_KEY: '', ROLE: 'api' });
      await new Promise((wait) => setTimeout(wait, 300));
      const docs = (await fetch(`${second.url}/docs-json`).then((r) => r.json())) as any;
      const me = await fetch(`${second.url}/api/v2/auth/me`, { headers: { 'X-API-Key': key! } });
      await second.stop();
      expect(me.status).toBe(200);
      expect(second.output()).not.toContain('X-API-Key:');
      expect(second.output()).toContain(
        'To set or recover an admin API key, start with ADMIN_API_KEY',
      );
      expect(docs.components.securitySchemes['api-key'].description).toContain('ADMIN_API_KEY');
      expect(docs.info.description).toContain('printed in a frame');
    } finally {
      await fresh.drop();
    }
  }, 120_000);

  it('exits 1 naming the variable when the configuration is invalid', async () => {
    const { code, output } = await runUntilExit({ PORT: 'abc' });
    expect(code).toBe(1);
    expect(output).toContain('PORT');
    // Every invalid variable in one go; a size in the same syntax as BODY_LIMIT is fine.
    const other = await runUntilExit({
      RATE_LIMIT_ENABLED: 'maybe',
      LOG_FORMAT: 'xml',
      JOB_CONCURRENCY: '0',
      MAX_FILE_SIZE: '10MB',
      BODY_LIMIT: '5mb',
    });
    expect(other.code).toBe(1);
    expect(other.output).toContain('Invalid configuration (3 variables)');
    for (const name of ['RATE_LIMIT_ENABLED', 'LOG_FORMAT', 'JOB_CONCURRENCY'])
      expect(other.output).toContain(`  ${name} `);
    expect(other.output).not.toContain('MAX_FILE_SIZE');
    expect(other.output).not.toContain('BODY_LIMIT');
  });

  it('falls back to an embedded PostgreSQL when no local server answers, and migrates it', async () => {
    const deadPort = await findFreePort();
    const app = await spawnService(
      {
        ...stores.env,
        DATABASE_URL: undefined,
        DATABASE_DEFAULT_URL: `postgres://postgres@127.0.0.1:${deadPort}/subforge`,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
      { timeoutMs: 90_000 },
    );
    try {
      expect(app.output()).toMatch(/embedded PostgreSQL started/);
      expect(await getStatus(`${app.url}/health/ready`)).toBe(200);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
    // The data is kept for the next start.
    const again = await spawnService(
      {
        ...stores.env,
        DATABASE_URL: undefined,
        DATABASE_DEFAULT_URL: `postgres://postgres@127.0.0.1:${deadPort}/subforge`,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
      { timeoutMs: 90_000 },
    );
    try {
      expect(again.output()).not.toMatch(/Applied migrations/);
      expect(await getStatus(`${again.url}/health/ready`)).toBe(200);
    } finally {
      await again.stop('SIGTERM');
    }
  });

  it('falls back to a redis-server from PATH when no local Redis answers', async () => {
    const deadPort = await findFreePort();
    const redisDir = mkdtempSync(join(tmpdir(), 'subforge-redis-'));
    const app = await spawnService({
      ...stores.env,
      REDIS_URL: undefined,
      REDIS_DEFAULT_URL: `redis://127.0.0.1:${deadPort}`,
      DATA_DIR: redisDir,
      LOG_LEVEL: 'info',
    });
    try {
      expect(app.output()).toMatch(/Redis: started .*redis-server/);
      expect(await getStatus(`${app.url}/health/ready`)).toBe(200);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
      rmSync(redisDir, { recursive: true, force: true });
    }
  });

  it('exits 1 with the ways out when there is neither Redis nor redis-server', async () => {
    const deadPort = await findFreePort();
    const { code, output } = await runUntilExit({
      ...stores.env,
      REDIS_URL: undefined,
      REDIS_DEFAULT_URL: `redis://127.0.0.1:${deadPort}`,
      REDIS_SERVER_BIN: '/nonexistent/redis-server',
      DATA_DIR: dataDir,
    });
    expect(code).toBe(1);
    expect(output).toContain('REDIS_URL');
    expect(output).toContain('docker run -d -p 6379:6379 redis:7-alpine');
  });

  it('lets an in-flight request finish on SIGTERM and exits 0 within 10 s', async () => {
    const app = await spawnService({ ...stores.env });
    const { port } = new URL(app.url);
    // A request whose body is still arriving when the signal comes.
    const [head, tail] = ['{"slow": "reque', 'st"}'];
    const response = new Promise<{ status: number; body: string }>((resolveResponse, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v2/slow',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(head + tail),
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolveResponse({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write(head);
      setTimeout(() => {
        app.proc.kill('SIGTERM');
        setTimeout(() => req.end(tail), 1_500);
      }, 200);
    });
    const started = Date.now();
    const { status, body } = await response;
    expect(status).toBeLessThan(500);
    expect(JSON.parse(body)).toHaveProperty('request_id');
    expect(await app.exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
