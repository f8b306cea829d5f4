import 'reflect-metadata';
import { spawn, ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config.js';
import { startService, RunningService } from '../../src/bootstrap.js';
import { AppLogger } from '../../src/common/logging/app-logger.js';
import { createTestDatabase, dropTestDatabase } from './database.js';
import { randomSuffix, REDIS_PREFIX, testRedisUrl } from './env.js';
import { guardTransactions, secondConnections } from './transaction-guard.js';

export type Env = Record<string, string | undefined>;

/** Every test app has this admin key (ADMIN_API_KEY). */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  url: string;
  service: RunningService;
  /** The environment this app was started with; pass it to a second instance to share its stores. */
  env: Env;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The stores of one test file: its own database and Redis key prefix. */
export interface TestStores {
  env: Env;
  drop(): Promise<void>;
}

export async function createTestStores(): Promise<TestStores> {
  const database = await createTestDatabase();
  return {
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: REDIS_PREFIX + randomSuffix(),
      UPLOAD_DIR: resolve('.data', 'test-uploads', database.name),
      DATA_DIR: resolve('.data', 'test'),
    },
    drop: async () => {
      await dropTestDatabase(database.name);
      rmSync(resolve('.data', 'test-uploads', database.name), { recursive: true, force: true });
    },
  };
}

export function baseEnv(): Env {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    LOG_FORMAT: 'json',
    DATABASE_POOL_SIZE: '4',
    // Tests make many calls from one address; the limiter itself is tested with low limits.
    RATE_LIMIT_READ: '100000',
    RATE_LIMIT_WRITE: '100000',
    RATE_LIMIT_LOGIN: '100000',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    SUBFORGE_INTEGRATION_ENABLED: 'false',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
  };
}

/** Boots the real app in this process on a random port against the given stores. */
export async function startTestApp(stores: TestStores, overrides: Env = {}): Promise<TestApp> {
  const env = { ...baseEnv(), ...stores.env, ...overrides };
  const config = loadConfig(env);
  const service = await startService(config, new AppLogger(config));
  guardTransactions(service.app.get(DataSource));
  const url = service.url!;
  return {
    url,
    service,
    env,
    http: () => request(url),
    close: async () => {
      await service.shutdown();
      const found = secondConnections();
      if (found.length)
        throw new Error(
          `${found.length} second connection(s) taken inside a transaction:\n${found.slice(0, 3).join('\n\n')}`,
        );
    },
  };
}

export interface SpawnedApp {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the compiled service (`dist/`) as its own process: for workers, restarts and signals. */
export function spawnService(
  env: Env,
  options: { waitFor?: RegExp; timeoutMs?: number; cwd?: string } = {},
): Promise<SpawnedApp> {
  // Info level: the start-up line carries the URL we wait for.
  const proc = spawn(process.execPath, [resolve('dist/src/main.js')], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...baseEnv(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolveExit) =>
    proc.once('exit', (code) => resolveExit(code)),
  );
  const waitFor = options.waitFor ?? /listening on (http:\/\/[^\s"]+)|processing jobs/;
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`service did not start in time:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const check = () => {
      const match = waitFor.exec(output);
      if (!match) return;
      clearTimeout(timer);
      proc.stdout.off('data', check);
      resolveStart({
        proc,
        url: match[1] ?? '',
        output: () => output,
        exit,
        stop: async (signal = 'SIGTERM') => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
          return exit;
        },
      });
    };
    proc.stdout.on('data', check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before starting:\n${output}`));
    });
  });
}

/** Runs the compiled service expecting it to exit; resolves with its code and output. */
export function runUntilExit(
  env: Env,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, [resolve('dist/src/main.js')], {
    env: { PATH: process.env.PATH, ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveExit, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`service did not exit in time:\n${output}`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolveExit({ code, output });
    });
  });
}
