/*
 * Instant scripted agents in their own process: each agent key connects a /v2
 * socket (joined to its agent room at the handshake), sends a heartbeat, and
 * answers every `task_assigned` at once with `task_complete` for that attempt
 * (sent again shortly while the service answers 503).
 * Prints READY once every agent is connected and available; on SIGTERM prints
 * its counts as JSON and exits.
 */
import { io, Socket } from 'socket.io-client';
import { clientArgs, printResultAndExit, sleep } from '../lib/proc.js';

interface Args {
  url: string;
  keys: string[];
}

const args = clientArgs<Args>();
let assigned = 0;
let completed = 0;
let refused = 0;
let retried = 0;

/** Counts a refused completion; the first few reasons go to stderr (the scenario's log). */
function refusal(reason: unknown): void {
  if (++refused <= 5) process.stderr.write(`task_complete refused: ${JSON.stringify(reason)}\n`);
}

interface Ack {
  ok: boolean;
  error?: { status_code: number };
}

/** Reports a step done; a 503 (the service shedding a burst) is sent again shortly, as a real agent would. */
async function complete(socket: Socket, report: { task_id: string; attempt: number }) {
  for (let tries = 1; ; tries++) {
    const ack = (await socket.timeout(30_000).emitWithAck('task_complete', report)) as Ack;
    if (ack.ok) return completed++;
    if (ack.error?.status_code !== 503 || tries === 20) return refusal(ack);
    retried++;
    await sleep(50 + Math.random() * 100);
  }
}

function connect(key: string): Promise<Socket> {
  const socket = io(`${args.url}/v2`, {
    auth: { token: key },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  socket.on('task_assigned', (envelope: { data: { task: { id: string }; attempt: number } }) => {
    assigned++;
    complete(socket, { task_id: envelope.data.task.id, attempt: envelope.data.attempt }).catch(
      (error: Error) => refusal(error.message),
    );
  });
  return new Promise((resolveConnect, reject) => {
    socket.once('connect', () => resolveConnect(socket));
    socket.once('connect_error', reject);
  });
}

const sockets: Socket[] = [];
for (const key of args.keys) sockets.push(await connect(key));
for (const socket of sockets) {
  const ack = (await socket.timeout(10_000).emitWithAck('agent_heartbeat', { status: 'idle' })) as {
    ok: boolean;
  };
  if (!ack.ok) throw new Error(`heartbeat refused: ${JSON.stringify(ack)}`);
}
// Stay available (the service marks silent agents offline after AGENT_OFFLINE_AFTER_SECONDS).
const beat = setInterval(() => {
  for (const socket of sockets) socket.emit('agent_heartbeat', { status: 'idle' });
}, 20_000);
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
  clearInterval(beat);
  for (const socket of sockets) socket.disconnect();
  printResultAndExit({ assigned, completed, refused, retried });
});
