import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { benchEnv, BENCH_ADMIN_KEY, startApp } from '../lib/app.js';
import { argOf, distPath, rssOf, runClient, sleep } from '../lib/proc.js';
import type { ScenarioResult } from '../lib/report.js';
import { round, summarize } from '../lib/stats.js';
import { BENCH_REDIS_URL, dropDatabase, freshStores, query } from '../lib/stores.js';

const AGENTS = Number(process.env.BENCH_HEARTBEAT_AGENTS ?? 10_000);
const PERIOD_MS = 10_000;
/** The first heartbeat of each agent opens its heartbeat record (news); measured after it. */
const WARMUP_MS = PERIOD_MS + 2_000;
const MEASURE_MS = Number(process.env.BENCH_HEARTBEAT_SECONDS ?? 30) * 1000;
const PROCESSES = Number(process.env.BENCH_HEARTBEAT_PROCESSES ?? 4);

interface AgentsResult {
  sent: number;
  failed: number;
  timedOut: number;
  disconnected: number;
  errors: Record<string, number>;
  latencies: number[];
}

/** A heartbeat-agents process: ready when connected; `go(t)` starts the beats. */
function agentsProcess(args: Record<string, unknown>) {
  const proc = spawn(
    process.execPath,
    ['--max-old-space-size=4096', distPath('bench/clients/heartbeat-agents.js'), argOf(args)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => proc.once('exit', resolveExit));
  const ready = new Promise<void>((resolveReady, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('READY')) resolveReady();
    });
    void exited.then((code) => reject(new Error(`heartbeat agents exited (${code}) before ready`)));
  });
  return {
    ready,
    go: (at: number) => proc.stdin.write(`GO ${at}\n`),
    result: exited.then((code) => {
      if (code !== 0) throw new Error(`heartbeat agents exited ${code}`);
      return JSON.parse(output.trim().split('\n').pop()!) as AgentsResult;
    }),
    kill: () => proc.kill('SIGKILL'),
  };
}

/** CPU time (user + system) of a process in seconds (Linux, 100 ticks a second). */
async function cpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function heartbeatsScenario(): Promise<ScenarioResult> {
  const database = 'subforge_bench_heartbeats';
  const stores = await freshStores(database);
  const env = benchEnv(stores, { SOCKET_MAX_CONNECTIONS: String(AGENTS * 2) });
  const { agents } = await runClient<{ agents: { id: string; key: string }[] }>(
    'bench/seed-agents.js',
    { env: { ...env, PATH: process.env.PATH ?? '' }, count: AGENTS },
    600_000,
  );
  const app = await startApp(env);
  const redis = new Redis(BENCH_REDIS_URL);
  const processes: ReturnType<typeof agentsProcess>[] = [];
  const dashboard = io(`${app.url}/v2`, {
    auth: { token: BENCH_ADMIN_KEY, rooms: ['agents'] },
    transports: ['websocket'],
    reconnection: false,
  });
  try {
    await new Promise<void>((resolveConnect, reject) => {
      dashboard.once('connect', () => resolveConnect());
      dashboard.once('connect_error', reject);
    });
    let updates = 0;
    let measuring = false;
    dashboard.on('agent_update', () => {
      if (measuring) updates++;
    });
    await sleep(2_000);
    const rssBefore = await rssOf(app.pid);
    const connectStarted = Date.now();
    const per = Math.ceil(agents.length / PROCESSES);
    for (let p = 0; p < PROCESSES; p++)
      processes.push(
        agentsProcess({
          url: app.url,
          agents: agents.slice(p * per, (p + 1) * per),
          status: 'idle',
          periodMs: PERIOD_MS,
          warmupMs: WARMUP_MS,
          measureMs: MEASURE_MS,
        }),
      );
    await Promise.all(processes.map((p) => p.ready));
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    await sleep(2_000);
    const rssConnected = await rssOf(app.pid);
    const go = Date.now() + 500;
    for (const p of processes) p.go(go);

    // The server's side of the measured window.
    const invalidations = async () => {
      const keys = await redis.keys(`${stores.REDIS_KEY_PREFIX}:cache:v:*`);
      const values = keys.length ? await redis.mget(...keys) : [];
      return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
    };
    // Agent events only: the service's own periodic metrics snapshot (one a minute) is not
    // something a heartbeat costs.
    const eventCount = async () =>
      (
        await query<{ n: number }>(
          stores.DATABASE_URL,
          `SELECT count(*)::int AS n FROM events WHERE type LIKE 'agent%'`,
        )
      )[0].n;
    await sleep(go + WARMUP_MS - Date.now());
    measuring = true;
    const [cpu0, events0, bumps0] = [
      await cpuSeconds(app.pid),
      await eventCount(),
      await invalidations(),
    ];
    const t0 = Date.now();
    let rssPeak = 0;
    while (Date.now() < t0 + MEASURE_MS) {
      rssPeak = Math.max(rssPeak, await rssOf(app.pid));
      await sleep(500);
    }
    const seconds = (Date.now() - t0) / 1000;
    const [cpu1, events1, bumps1] = [
      await cpuSeconds(app.pid),
      await eventCount(),
      await invalidations(),
    ];
    measuring = false;
    const results = await Promise.all(processes.map((p) => p.result));
    const latencies = results.flatMap((r) => r.latencies);
    const stats = summarize(latencies);
    const sent = results.reduce((sum, r) => sum + r.sent, 0);
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    const timedOut = results.reduce((sum, r) => sum + r.timedOut, 0);
    const disconnected = results.reduce((sum, r) => sum + r.disconnected, 0);
    const errors = results.flatMap((r) => Object.entries(r.errors));
    const perConnection = (rssConnected - rssBefore) / agents.length / 1024;
    const dropped = sent - stats.count;
    return {
      title: `${agents.length.toLocaleString('en')} agents heartbeating over Socket.IO`,
      description: `${agents.length} agents and their agent keys seeded through the service's repositories and \`ApiKeysService\` (not REST); each agent holds one Socket.IO connection on \`/v2\` (${PROCESSES} client processes) and sends \`agent_heartbeat {status: "idle"}\` (its stored status: unchanged) every ${PERIOD_MS / 1000} s, ${round(agents.length / (PERIOD_MS / 1000), 0)} a second, while a dashboard client watches \`agents\`. Measured over ${MEASURE_MS / 1000} s after a ${WARMUP_MS / 1000} s warm-up (each agent's first heartbeat opens its heartbeat record). ${agents.length} connections took ${round(connectSeconds, 1)} s. No bare twin: the figures are absolute.`,
      figures: [
        {
          section: 'heartbeats',
          name: 'heartbeats acknowledged / sent in the window',
          value: stats.count,
          unit: `of ${sent}`,
          target: 'nothing dropped',
          met: sent > 0 && dropped === 0,
          note: dropped
            ? `${failed} refused, ${timedOut} not acknowledged within 30 s, ${disconnected} disconnected${errors.length ? `: ${errors.map(([e, n]) => `${e} (${n})`).join(', ')}` : ''}`
            : undefined,
        },
        {
          section: 'heartbeats',
          name: 'acknowledgement rate',
          value: stats.count / seconds,
          unit: 'acks/s',
        },
        {
          section: 'heartbeats',
          name: 'acknowledgement latency p50',
          value: stats.p50,
          unit: 'ms',
        },
        {
          section: 'heartbeats',
          name: 'acknowledgement latency p99',
          value: stats.p99,
          unit: 'ms',
          target: '≤ 50 ms',
          met: stats.p99 <= 50,
        },
        {
          section: 'heartbeats',
          name: 'API process CPU',
          value: ((cpu1 - cpu0) / seconds) * 100,
          unit: '% of one core',
        },
        {
          section: 'heartbeats',
          name: 'API resident memory with all connections (peak while beating)',
          value: rssPeak / 1024 ** 2,
          unit: 'MiB',
        },
        {
          section: 'heartbeats',
          name: 'memory per connection',
          value: perConnection,
          unit: 'KiB',
          note: `RSS ${round(rssBefore / 1024 ** 2, 1)} MiB before the agents connected, ${round(rssConnected / 1024 ** 2, 1)} MiB after`,
        },
        {
          section: 'heartbeats',
          name: 'agent events written',
          value: (events1 - events0) / seconds,
          unit: 'events/s',
          target: '0 (unchanged heartbeats)',
          met: events1 === events0,
        },
        {
          section: 'heartbeats',
          name: 'cache invalidations',
          value: (bumps1 - bumps0) / seconds,
          unit: 'bumps/s',
          target: '0 (unchanged heartbeats)',
          met: bumps1 === bumps0,
        },
        {
          section: 'heartbeats',
          name: '`agent_update` events seen by the dashboard client',
          value: updates,
          unit: 'events',
        },
      ],
    };
  } finally {
    dashboard.disconnect();
    for (const p of processes) p.kill();
    await redis.quit();
    await app.stop();
    await dropDatabase(database);
  }
}
