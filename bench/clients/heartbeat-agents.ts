/*
 * Heartbeating agents in their own process: one Socket.IO connection per agent key on
 * /v2. Prints READY once all are connected, then waits for `GO <epoch ms>` on stdin.
 * From then each agent sends `agent_heartbeat {status}` every `periodMs` (phases spread
 * evenly), and the acknowledgement latency of every heartbeat sent inside the measured
 * window [GO + warmupMs, GO + warmupMs + measureMs) is recorded. Then it waits for the
 * outstanding acknowledgements and prints its result.
 */
import { createInterface } from 'node:readline';
import { io, Socket } from 'socket.io-client';
import { clientArgs, printResultAndExit, sleep } from '../lib/proc.js';

interface Args {
  url: string;
  agents: { id: string; key: string }[];
  status: string;
  periodMs: number;
  warmupMs: number;
  measureMs: number;
}

const args = clientArgs<Args>();

function connect(key: string): Promise<Socket> {
  const socket = io(`${args.url}/v2`, {
    auth: { token: key },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 60_000,
  });
  return new Promise((resolveConnect, reject) => {
    socket.once('connect', () => resolveConnect(socket));
    socket.once('connect_error', reject);
  });
}

const sockets: Socket[] = [];
for (let i = 0; i < args.agents.length; i += 100) {
  sockets.push(
    ...(await Promise.all(args.agents.slice(i, i + 100).map((agent) => connect(agent.key)))),
  );
}
let disconnected = 0;
for (const socket of sockets) socket.on('disconnect', () => disconnected++);
process.stdout.write('READY\n');

const go = await new Promise<number>((resolveGo) => {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const match = /^GO (\d+)/.exec(line);
    if (match) resolveGo(Number(match[1]));
  });
});
const from = go + args.warmupMs;
const until = from + args.measureMs;
const latencies: number[] = [];
let sent = 0;
let failed = 0;
let timedOut = 0;
let outstanding = 0;
const errors: Record<string, number> = {};

function beat(socket: Socket): void {
  const at = Date.now();
  const measured = at >= from && at < until;
  if (measured) sent++;
  outstanding++;
  socket
    .timeout(30_000)
    .emit(
      'agent_heartbeat',
      { status: args.status },
      (error: Error | null, ack?: { ok: boolean; error?: { message?: string } }) => {
        outstanding--;
        if (!measured) return;
        if (error) timedOut++;
        else if (!ack?.ok) {
          failed++;
          const reason = ack?.error?.message ?? 'unknown';
          errors[reason] = (errors[reason] ?? 0) + 1;
        } else latencies.push(Date.now() - at);
      },
    );
}

const timers: NodeJS.Timeout[] = [];
sockets.forEach((socket, i) => {
  // Even phases across the period, offset per process by its first agent's position.
  const phase = ((i + 0.5) / sockets.length) * args.periodMs;
  const start = Math.max(0, go + phase - Date.now());
  timers.push(
    setTimeout(() => {
      beat(socket);
      timers.push(setInterval(() => beat(socket), args.periodMs));
    }, start),
  );
});

await sleep(Math.max(0, until - Date.now()));
for (const timer of timers) clearTimeout(timer);
const drainUntil = Date.now() + 30_000;
while (outstanding > 0 && Date.now() < drainUntil) await sleep(50);
const result = { sent, failed, timedOut, disconnected, errors, latencies };
for (const socket of sockets) socket.disconnect();
printResultAndExit(result);
