import { readFileSync } from 'node:fs';
import { distPath, Env, Service, startProcess } from './proc.js';

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/** The service in production mode, as separate processes, with benchmark-friendly limits. */
export function benchEnv(stores: Env, extra: Env = {}): Env {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    // The targets are set at the default level: every request writes its info access line.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    SUBFORGE_INTEGRATION_ENABLED: 'false',
    DATA_DIR: '.data/bench',
    UPLOAD_DIR: '.data/bench/uploads',
    // Limits high enough not to refuse the benchmark's own load; the limiter still runs.
    RATE_LIMIT_READ: '100000000',
    RATE_LIMIT_WRITE: '100000000',
    RATE_LIMIT_BULK: '100000000',
    RATE_LIMIT_UPLOAD: '100000000',
    RATE_LIMIT_BROADCAST: '100000000',
    RATE_LIMIT_REPLAY: '100000000',
    SOCKET_MESSAGES_PER_SECOND: '100000',
    ...stores,
    ...extra,
  };
}

/** The Node flags an npm script runs the service with (`[ROLE=…] node <flags> dist/src/main.js`). */
function flagsOf(script: 'start' | 'start:worker'): string[] {
  const { scripts } = JSON.parse(readFileSync(distPath('../package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = scripts[script]
    .trim()
    .split(/\s+/)
    .filter((word) => !/^[A-Z_]+=/.test(word));
  const main = words.findIndex((word, i) => i > 0 && !word.startsWith('-'));
  if (words[0] !== 'node' || words[main] !== 'dist/src/main.js')
    throw new Error(
      `package.json's ${script} is not "node [flags] dist/src/main.js": ${scripts[script]}`,
    );
  return words.slice(1, main);
}

/** The bench runs each role as its npm script does: `npm start`, and `npm run start:worker`. */
export const START_FLAGS = { api: flagsOf('start'), worker: flagsOf('start:worker') };

export function startApp(env: Env): Promise<Service> {
  const flags = env.ROLE === 'worker' ? START_FLAGS.worker : START_FLAGS.api;
  return startProcess(distPath('bench/app-entry.js'), env, undefined, [], flags);
}

export async function api<T = unknown>(
  url: string,
  path: string,
  init: RequestInit = {},
): Promise<T> {
  const response = await fetch(url + path, {
    ...init,
    headers: {
      'X-API-Key': BENCH_ADMIN_KEY,
      'Content-Type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
