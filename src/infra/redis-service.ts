import { spawn, ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { sleep } from '../common/async.js';
import { findFreePort } from './net.js';
import { readStateFile, removeStateFile, writeStateFile } from './state-file.js';
import { redactUrl, ResolvedService, ServiceLogger, StartupError } from './startup-error.js';

const PING_TIMEOUT_MS = 3_000;

async function ping(url: string): Promise<Error | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PING_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    client.disconnect();
  }
}

/** The absolute path of `bin` on PATH (or `bin` itself when it holds a slash), if executable. */
export function findExecutable(bin: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  const candidates = bin.includes('/')
    ? [bin]
    : pathEnv
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, bin));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const NO_REDIS_MESSAGE =
  'No Redis is reachable and no redis-server was found on PATH. Either install Redis ' +
  '(e.g. `apt-get install redis-server`, then start it), run `docker run -d -p 6379:6379 redis:7-alpine`, ' +
  'or set REDIS_URL to a reachable Redis.';

async function startLocalRedis(config: AppConfig, logger: ServiceLogger): Promise<ResolvedService> {
  const stateFile = join(config.dataDir, 'redis.json');
  const shared = readStateFile(stateFile);
  if (shared && !(await ping(shared.url))) {
    logger.log(`Redis: reusing the redis-server of process ${shared.pid} at ${shared.url}`);
    return { url: shared.url, source: 'embedded-shared', stop: async () => undefined };
  }

  const bin = findExecutable(config.redisServerBin);
  if (!bin) throw new StartupError(NO_REDIS_MESSAGE);

  const dir = join(config.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await findFreePort();
  const child: ChildProcess = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (await ping(url)) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new StartupError(`${bin} did not start on port ${port}. ${NO_REDIS_MESSAGE}`);
    }
    await sleep(50);
  }
  writeStateFile(stateFile, { url, pid: process.pid });
  logger.log(`Redis: started ${bin} on 127.0.0.1:${port}, data in ${dir} (AOF on)`);
  return {
    url,
    source: 'embedded',
    stop: async () => {
      removeStateFile(stateFile);
      if (exited) return;
      const gone = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGTERM');
      await Promise.race([gone, sleep(5_000)]);
    },
  };
}

/**
 * CONTRACT §1: REDIS_URL when set (fail fast if unreachable); otherwise the local
 * server; otherwise a redis-server from PATH on a free port; otherwise exit 1.
 */
export async function resolveRedis(
  config: AppConfig,
  logger: ServiceLogger,
): Promise<ResolvedService> {
  if (config.redisUrl) {
    const error = await ping(config.redisUrl);
    if (error)
      throw new StartupError(
        `REDIS_URL: cannot reach ${redactUrl(config.redisUrl)}: ${error.message}`,
      );
    logger.log(`Redis: from REDIS_URL at ${redactUrl(config.redisUrl)}`);
    return { url: config.redisUrl, source: 'configured', stop: async () => undefined };
  }
  const error = await ping(config.redisDefaultUrl);
  if (!error) {
    logger.log(`Redis: local server at ${redactUrl(config.redisDefaultUrl)}`);
    return { url: config.redisDefaultUrl, source: 'local', stop: async () => undefined };
  }
  logger.warn(
    `No Redis answers at ${redactUrl(config.redisDefaultUrl)} (${error.message}); starting redis-server`,
  );
  return startLocalRedis(config, logger);
}
