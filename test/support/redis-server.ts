import { spawn, ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { findFreePort } from '../../src/infra/net.js';
import { sleep } from '../../src/common/async.js';

/** A private redis-server for tests that flush, stop or cut Redis (never the shared one). */
export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGKILL: a crash, not a shutdown. */
  kill(): Promise<void>;
  flushAll(): Promise<void>;
}

export async function startPrivateRedis(port?: number): Promise<PrivateRedis> {
  const chosen = port ?? (await findFreePort());
  const proc: ChildProcess = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${chosen}`;
  for (let attempt = 0; ; attempt++) {
    const client = new Redis(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch {
      client.disconnect();
      if (attempt > 100) throw new Error('private redis-server did not start');
      await sleep(50);
    }
  }
  return {
    url,
    port: chosen,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolveExit) => proc.once('exit', resolveExit));
      proc.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      const exited = new Promise((resolveExit) => proc.once('exit', resolveExit));
      proc.kill('SIGKILL');
      await exited;
    },
    flushAll: async () => {
      const client = new Redis(url);
      await client.flushall();
      await client.quit();
    },
  };
}
