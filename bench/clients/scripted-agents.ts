/*
 * Instant scripted agents in their own process: each agent key connects a /v2
 * socket (joined to its agent room at the handshake), sends a heartbeat, and
 * answers every `task_assigned` at once with `task_complete` for that attempt.
 * Prints READY once every agent is connected and available; on SIGTERM prints
 * its counts as JSON and exits.
 */
import { io, Socket } from 'socket.io-client';
import { printResultAndExit } from '../lib/proc.js';

interface Args {
  url: string;
  keys: string[];
}

const args = JSON.parse(process.argv[2]) as Args;
let assigned = 0;
let completed = 0;
let refused = 0;

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
    void socket
      .timeout(30_000)
      .emitWithAck('task_complete', {
        task_id: envelope.data.task.id,
        attempt: envelope.data.attempt,
      })
      .then(
        (ack: { ok: boolean }) => (ack.ok ? completed++ : refused++),
        () => refused++,
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
  printResultAndExit({ assigned, completed, refused });
});
