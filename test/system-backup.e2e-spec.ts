import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_TABLES, RESET_REQUIRED_PASSWORD_HASH } from '../src/backup/backup-tables.js';
import {
  baseEnv,
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { DATABASE_PREFIX, databaseServerUrl, databaseUrl, randomSuffix } from './support/env.js';
import { apiKey, createApiKey, createUser } from './support/identities.js';
import { runJob } from './support/jobs.js';

const admin = apiKey(TEST_ADMIN_KEY);

interface BackupResult {
  backup_type: string;
  file_id: string;
  filename: string;
  size_bytes: number;
  checksum: string;
  counts: Record<string, number>;
  total_rows: number;
  snapshot_at: string;
  since: string | null;
  base_backup_id: string | null;
}

interface ParsedBackup {
  header: {
    backup_type: string;
    since: string | null;
    watermark: string;
    base_backup_id: string | null;
    tables: { name: string; mode: string; rows: number; columns: string[]; omitted: string[] }[];
  };
  rows: Map<string, Record<string, unknown>[]>;
  end: { rows: number; counts: Record<string, number> };
}

function parseBackup(gzipped: Buffer): ParsedBackup {
  const lines = gunzipSync(gzipped).toString('utf8').trimEnd().split('\n');
  const rows = new Map<string, Record<string, unknown>[]>();
  for (const line of lines.slice(1, -1)) {
    const { table, row } = JSON.parse(line);
    rows.set(table, [...(rows.get(table) ?? []), row]);
  }
  return { header: JSON.parse(lines[0]), rows, end: JSON.parse(lines.at(-1)!) };
}

/**
 * Runs the compiled restore CLI against `url`: in its environment, or (`dotEnv`) as an operator
 * would, from a folder whose `.env` names the database.
 */
function restoreCli(
  file: string,
  url: string,
  { dotEnv = false } = {},
): Promise<{ code: number | null; output: string }> {
  const env = { PATH: process.env.PATH, ...baseEnv(), LOG_LEVEL: 'info' };
  let cwd = process.cwd();
  if (dotEnv) {
    cwd = mkdtempSync(join(tmpdir(), 'restore-'));
    writeFileSync(join(cwd, '.env'), `DATABASE_URL=${url}\n`);
  }
  const proc = spawn(
    process.execPath,
    [resolve('dist/src/backup/restore-cli.js'), file],
    // `.env` is not read under NODE_ENV=test. Were it ignored, the CLI would fall back to
    // DATABASE_DEFAULT_URL: a test database here, never a developer's.
    dotEnv
      ? {
          env: {
            ...env,
            NODE_ENV: 'production',
            DATABASE_DEFAULT_URL: databaseUrl(`${DATABASE_PREFIX}restore_fallback`),
          },
          cwd,
          stdio: ['ignore', 'pipe', 'pipe'],
        }
      : { env: { ...env, DATABASE_URL: url }, cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveExit) =>
    proc.once('exit', (code) => {
      if (dotEnv) rmSync(cwd, { recursive: true, force: true });
      resolveExit({ code, output });
    }),
  );
}

async function serverQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseServerUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Rows of a table as PostgreSQL prints them, without the given columns, in a stable order. */
async function tableRows(
  db: pg.Client,
  table: string,
  without: string[] = [],
  where = 'true',
): Promise<string[]> {
  const { rows } = await db.query<{ row: string }>(
    `SELECT (to_jsonb(t) - $1::text[])::text AS row FROM "${table}" t WHERE ${where} ORDER BY 1`,
    [without],
  );
  return rows.map((r) => r.row);
}

describe('system data: retention, backup and restore', () => {
  let stores: TestStores;
  let app: TestApp;
  let db: pg.Client;
  let operator: string;
  const work = mkdtempSync(join(tmpdir(), 'subforge-backup-'));
  const databases: string[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { AGENT_OFFLINE_AFTER_SECONDS: '86400' });
    db = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await db.connect();
    operator = (await createApiKey(app.url, 'operator')).key;
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
    await stores?.drop();
    for (const name of databases)
      await serverQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    rmSync(work, { recursive: true, force: true });
  });

  /** A new, empty database (not even migrated: the restore CLI migrates it). */
  async function emptyDatabase(): Promise<string> {
    const name = DATABASE_PREFIX + randomSuffix();
    await serverQuery(`CREATE DATABASE "${name}"`);
    databases.push(name);
    return databaseUrl(name);
  }

  async function createAgent(name: string, body: Record<string, unknown> = {}) {
    const { body: agent } = await app
      .http()
      .post('/api/v2/agents')
      .set(admin)
      .send({ name, agent_type: 'backend', ...body })
      .expect(201);
    return agent as { id: string };
  }

  async function createTask(body: Record<string, unknown>) {
    const { body: task } = await app.http().post('/api/v2/tasks').set(admin).send(body).expect(201);
    return task as { id: string };
  }

  async function download(fileId: string): Promise<Buffer> {
    const response = await app
      .http()
      .get(`/api/v2/files/${fileId}/download`)
      .set(admin)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    return response.body as Buffer;
  }

  async function backup(type: 'full' | 'incremental'): Promise<BackupResult> {
    const job = await runJob(app, 'system.backup', { backup_type: type }, TEST_ADMIN_KEY, 60_000);
    expect(job.status, job.error ?? '').toBe('completed');
    expect(job.progress).toBe(100);
    return job.result as BackupResult;
  }

  async function insertOldData(agentId: string, route: string): Promise<void> {
    await db.query(
      `INSERT INTO system_metrics (source, instance_id, snapshot, recorded_at)
       SELECT 'collector', 'old', '{}', now() - (d || ' days')::interval FROM unnest(ARRAY[40, 40, 31, 5]) AS d`,
    );
    await db.query(
      `INSERT INTO api_metrics (minute, method, route, status_class, credential, count, sum_ms, min_ms, max_ms, histogram)
       SELECT date_trunc('minute', now() - (d || ' days')::interval), 'GET', $1, '2xx', 'none', 1, 1, 1, 1, '{1}'
         FROM unnest(ARRAY[40, 35, 5]) AS d`,
      [route],
    );
    await db.query(
      `INSERT INTO agent_logs (agent_id, timestamp, level, severity, message)
       SELECT $1, now() - (d || ' days')::interval, 'INFO', 20, 'line' FROM unnest(ARRAY[40, 40, 33, 2]) AS d`,
      [agentId],
    );
    await db.query(
      `INSERT INTO events (id, type, rooms, data, created_at)
       SELECT nextval('events_id_seq'), 'system_notification', '{system}', '{}', now() - (d || ' days')::interval
         FROM unnest(ARRAY[40, 10, 8]) AS d`,
    );
    await db.query(
      `INSERT INTO background_tasks (id, task_name, queue, status, priority, created_at, updated_at, completed_at)
       SELECT gen_random_uuid(), 'fixture.old', 'system', 'completed', 'normal', t, t, t
         FROM (SELECT now() - (d || ' days')::interval AS t FROM unnest(ARRAY[45, 31, 3]) AS d) ages`,
    );
  }

  const oldLeft = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*) FROM system_metrics WHERE recorded_at < now() - interval '30 days')::int AS snapshots,
                (SELECT count(*) FROM api_metrics WHERE minute < now() - interval '30 days')::int AS api,
                (SELECT count(*) FROM agent_logs WHERE timestamp < now() - interval '30 days')::int AS logs,
                (SELECT count(*) FROM events WHERE created_at < now() - interval '7 days')::int AS events,
                (SELECT count(*) FROM background_tasks WHERE task_name = 'fixture.old')::int AS jobs`,
      )
    ).rows[0];

  describe('retention', () => {
    let agentId: string;
    const purged = {
      background_tasks: 2,
      events: 3,
      metric_snapshots: 3,
      api_metrics: 2,
      agent_logs: 3,
      // No workflow run is old enough here; the policy runs and says so.
      workflow_runs: 0,
    };

    beforeAll(async () => {
      agentId = (await createAgent('retained')).id;
    });

    it('system.cleanup purges snapshots, API metrics and agent logs past retention, with true counts', async () => {
      await insertOldData(agentId, '/old-job');
      const refused = await app
        .http()
        .post('/api/v2/background-tasks')
        .set(apiKey(operator))
        .send({ task_name: 'system.cleanup', parameters: { older_than_days: 30 } });
      expect(refused.status).toBe(403);
      const job = await runJob(app, 'system.cleanup', { older_than_days: 30 });
      expect(job.status).toBe('completed');
      expect(job.result).toEqual({ older_than_days: 30, deleted: purged, total_deleted: 13 });
      expect(await oldLeft()).toEqual({ snapshots: 0, api: 0, logs: 0, events: 0, jobs: 1 });
      // The recent rows stay.
      const { rows } = await db.query(
        `SELECT (SELECT count(*) FROM agent_logs WHERE agent_id = $1)::int AS logs,
                (SELECT count(*) FROM api_metrics WHERE route = '/old-job')::int AS api`,
        [agentId],
      );
      expect(rows[0]).toEqual({ logs: 1, api: 1 });
    });

    it('v1 maintenance cleanup runs the same policies and counts truly', async () => {
      await insertOldData(agentId, '/old-v1');
      const { body } = await app
        .http()
        .post('/api/v1/system/maintenance/cleanup')
        .query({ days_to_keep: 30 })
        .set(admin)
        .expect(200);
      const snapshots = (await db.query('SELECT count(*)::int AS n FROM system_metrics')).rows[0].n;
      expect(body).toMatchObject({
        message: 'Cleanup completed',
        deleted: purged,
        deleted_records: 13,
        remaining_records: snapshots,
      });
      expect(Date.parse(body.cutoff_date)).toBeLessThan(Date.now() - 29 * 86_400_000);
      expect(await oldLeft()).toEqual({ snapshots: 0, api: 0, logs: 0, events: 0, jobs: 2 });
      const again = await app
        .http()
        .post('/api/v1/system/maintenance/cleanup')
        .set(admin)
        .expect(200);
      expect(again.body.deleted_records).toBe(0);
    });
  });

  describe('backup and restore', () => {
    let full: BackupResult;
    let fullFile: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      // Users with and without a sign-in, agents with everything set, a status change,
      // tasks with a dependency, one completed, a file with metadata.
      await createUser(app.url, 'operator');
      await createUser(app.url, 'viewer');
      const alpha = await createAgent('alpha', {
        description: 'première "agent"\nwith a newline',
        tools: ['read', 'write'],
        capabilities: ['python'],
        tags: ['a', 'b'],
        metadata: { nested: { list: [1, 2.5, null], big: 9007199254740991 } },
        max_concurrent_tasks: 3,
      });
      const beta = await createAgent('beta');
      ids.alpha = alpha.id;
      ids.beta = beta.id;
      await app.http().post(`/api/v2/agents/${beta.id}/stop`).set(admin).expect(200);
      const first = await createTask({
        title: 'first',
        tags: ['x'],
        metadata: { emoji: '✓', depth: { a: [true] } },
        assigned_agent_id: alpha.id,
      });
      const second = await createTask({ title: 'second', dependencies: [first.id] });
      await createTask({ title: 'third', priority: 'critical', dependencies: [first.id] });
      ids.first = first.id;
      ids.second = second.id;
      await app.http().post(`/api/v2/tasks/${first.id}/start`).set(admin).expect(200);
      await app
        .http()
        .post(`/api/v2/tasks/${first.id}/complete`)
        .set(admin)
        .send({ result: { ok: true }, quality_score: 87.5 })
        .expect(200);
      const upload = await app
        .http()
        .post('/api/v2/files/upload/data_files')
        .set(admin)
        .field('tags', 'fixture')
        .attach('files', Buffer.from(JSON.stringify({ rows: [1, 2, 3] })), 'data.json')
        .expect(201);
      ids.file = upload.body.files[0].id;
      // The upload's validation job writes to the row: wait until it has.
      for (let i = 0; ; i++) {
        const { rows } = await db.query('SELECT validation FROM files WHERE id = $1', [ids.file]);
        if (rows[0].validation) break;
        if (i >= 100) throw new Error('the upload was not validated within 10 s');
        await new Promise((resolveWait) => setTimeout(resolveWait, 100));
      }
    });

    it('only admins may back up', async () => {
      const refused = await app
        .http()
        .post('/api/v2/background-tasks')
        .set(apiKey(operator))
        .send({ task_name: 'system.backup', parameters: { backup_type: 'full' } });
      expect(refused.status).toBe(403);
      await app
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'system.backup', parameters: { backup_type: 'weekly' } })
        .expect(400);
    });

    it('a full backup is a downloadable file with every row, counted, and without secrets', async () => {
      full = await backup('full');
      expect(full.backup_type).toBe('full');
      expect(full.filename).toMatch(/^subforge-full-\d{8}T\d{6}Z\.ndjson\.gz$/);
      const bytes = await download(full.file_id);
      expect(bytes.length).toBe(full.size_bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(full.checksum);
      fullFile = join(work, full.filename);
      writeFileSync(fullFile, bytes);

      const parsed = parseBackup(bytes);
      expect(parsed.header).toMatchObject({
        backup_type: 'full',
        since: null,
        base_backup_id: null,
      });
      // Tables in foreign-key order.
      const order = parsed.header.tables.map((t) => t.name);
      expect(order.indexOf('agents')).toBeLessThan(order.indexOf('tasks'));
      expect(order.indexOf('tasks')).toBeLessThan(order.indexOf('task_dependencies'));
      expect(order.indexOf('agents')).toBeLessThan(order.indexOf('agent_status_history'));
      expect(order.sort()).toEqual(BACKUP_TABLES.map((t) => t.name).sort());
      for (const table of BACKUP_TABLES) {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM "${table.name}"${table.name === 'files' ? ` WHERE id <> '${full.file_id}'` : ''}`,
        );
        expect(full.counts[table.name], table.name).toBe(rows[0].n);
        expect(parsed.rows.get(table.name)?.length ?? 0).toBe(rows[0].n);
      }
      expect(full.counts).toMatchObject({ users: 2, agents: 3, tasks: 3, task_dependencies: 2 });
      expect(parsed.end).toEqual({ kind: 'end', rows: full.total_rows, counts: full.counts });
      expect(parsed.header.tables.find((t) => t.name === 'users')?.omitted).toEqual([
        'password_hash',
      ]);
      for (const user of parsed.rows.get('users')!)
        expect(user).not.toHaveProperty('password_hash');
      const text = gunzipSync(bytes).toString();
      expect(text).not.toMatch(/scrypt\$/);
      expect(text).not.toContain('api_keys');

      // Listed in the file store as a backup, for admins only.
      const { body: info } = await app
        .http()
        .get(`/api/v2/files/${full.file_id}`)
        .set(admin)
        .expect(200);
      expect(info).toMatchObject({
        file_type: 'backups',
        mime_type: 'application/gzip',
        metadata: { backup_type: 'full', counts: full.counts, total_rows: full.total_rows },
      });
      await app.http().get(`/api/v2/files/${full.file_id}`).set(apiKey(operator)).expect(404);
    });

    it('restores into an empty database: the same rows, table by table', async () => {
      const target = await emptyDatabase();
      const run = await restoreCli(fullFile, target, { dotEnv: true });
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain(`${full.total_rows} rows`);
      const restored = new pg.Client({ connectionString: target });
      await restored.connect();
      try {
        for (const table of BACKUP_TABLES) {
          const secrets = table.name === 'users' ? ['password_hash', 'is_active'] : [];
          const where = table.name === 'files' ? `t.id <> '${full.file_id}'` : 'true';
          const source = await tableRows(db, table.name, secrets, where);
          expect(source.length, table.name).toBe(full.counts[table.name]);
          expect(await tableRows(restored, table.name, secrets), table.name).toEqual(source);
        }
        // Users come back inactive and unable to sign in until an admin sets a password.
        const { rows: users } = await restored.query(
          'SELECT DISTINCT is_active, password_hash FROM users',
        );
        expect(users).toEqual([{ is_active: false, password_hash: RESET_REQUIRED_PASSWORD_HASH }]);
        // Serial ids continue after the restored ones.
        const { rows: next } = await restored.query(
          `INSERT INTO agent_status_history (agent_id, status, reason) VALUES ($1, 'idle', 'test')
           RETURNING id, (SELECT max(id) FROM agent_status_history) AS before`,
          [ids.alpha],
        );
        expect(BigInt(next[0].id)).toBeGreaterThan(BigInt(next[0].before));
        expect((await restored.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n).toBe(0);
      } finally {
        await restored.end();
      }

      // A second restore into the same, now filled, database is refused and changes nothing.
      const again = await restoreCli(fullFile, target);
      expect(again.code).toBe(1);
      expect(again.output).toMatch(/not empty/);
    });

    it('refuses truncated and corrupt files, leaving the database empty', async () => {
      const target = await emptyDatabase();
      const lines = gunzipSync(await download(full.file_id))
        .toString()
        .trimEnd()
        .split('\n');
      const truncated = join(work, 'truncated.ndjson.gz');
      writeFileSync(truncated, gzipSync(lines.slice(0, -1).join('\n') + '\n'));
      const cut = await restoreCli(truncated, target);
      expect(cut.code).toBe(1);
      expect(cut.output).toMatch(/truncated/);
      const corrupt = join(work, 'corrupt.ndjson.gz');
      const bytes = await download(full.file_id);
      writeFileSync(corrupt, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const broken = await restoreCli(corrupt, target);
      expect(broken.code).toBe(1);
      const restored = new pg.Client({ connectionString: target });
      await restored.connect();
      try {
        for (const table of BACKUP_TABLES)
          expect(
            (await restored.query(`SELECT count(*)::int AS n FROM "${table.name}"`)).rows[0].n,
          ).toBe(0);
      } finally {
        await restored.end();
      }
      expect((await restoreCli(join(work, 'missing.gz'), target)).output).toMatch(/cannot read/);
    });

    it('an incremental backup holds only the rows changed since the previous backup', async () => {
      await app
        .http()
        .put(`/api/v2/tasks/${ids.second}`)
        .set(admin)
        .send({ title: 'second, renamed' })
        .expect(200);
      const gamma = await createAgent('gamma');
      const incremental = await backup('incremental');
      expect(incremental).toMatchObject({
        backup_type: 'incremental',
        base_backup_id: full.file_id,
      });
      const fullInfo = await app.http().get(`/api/v2/files/${full.file_id}`).set(admin).expect(200);
      expect(incremental.since).toBe(fullInfo.body.metadata.watermark);

      const parsed = parseBackup(await download(incremental.file_id));
      const idsOf = (table: string) =>
        (parsed.rows.get(table) ?? []).map((row) => row.id as string).sort();
      expect(idsOf('tasks')).toEqual([ids.second]);
      expect(idsOf('agents')).toEqual([gamma.id]);
      expect((parsed.rows.get('agent_status_history') ?? []).map((r) => r.agent_id)).toEqual([
        gamma.id,
      ]);
      expect(idsOf('users')).toEqual([]);
      const modes = Object.fromEntries(parsed.header.tables.map((t) => [t.name, t.mode]));
      expect(modes).toEqual({
        users: 'changed',
        agents: 'changed',
        agent_status_history: 'changed',
        tasks: 'changed',
        task_dependencies: 'all',
        files: 'all',
        workflows: 'changed',
        workflow_runs: 'changed',
        workflow_run_steps: 'all',
        workflow_step_dispatches: 'changed',
      });
      // Tables without a change column come whole: the dependencies, and the files (the full backup's own row included).
      expect(incremental.counts.task_dependencies).toBe(2);
      expect(idsOf('files')).toContain(full.file_id);

      // Restore takes full backups only.
      const file = join(work, incremental.filename);
      writeFileSync(file, await download(incremental.file_id));
      const refused = await restoreCli(file, await emptyDatabase());
      expect(refused.code).toBe(1);
      expect(refused.output).toMatch(/incremental backup/);

      // The next incremental continues this one.
      const next = await backup('incremental');
      expect(next.base_backup_id).toBe(incremental.file_id);
      expect(next.counts).toMatchObject({ tasks: 0, agents: 0, users: 0 });
    });
  });
});
