/*
 * Socket.IO clients in their own process.
 * - fanout: `count` clients in `room`; records the delivery latency of every
 *   room_message (now - data.sent_at) until a message with data.stop arrives.
 * - idle: `count` connected clients doing nothing until SIGTERM.
 * - replay: one client reconnecting with last_event_id; time to the last missed event.
 */
import { io, Socket } from 'socket.io-client';
import { clientArgs, printResultAndExit } from '../lib/proc.js';

interface Args {
  url: string;
  token: string;
  /** Credentials to spread the clients over (at most 50 live connections each); else `token`. */
  tokens?: string[];
  count: number;
  room: string;
  mode: 'fanout' | 'idle' | 'replay';
  lastEventId?: string;
  expected?: number;
}

const args = clientArgs<Args>();

function connect(auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(`${args.url}/v2`, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  return new Promise((resolveConnect, reject) => {
    socket.once('connect', () => resolveConnect(socket));
    socket.once('connect_error', reject);
  });
}

if (args.mode === 'replay') {
  const started = performance.now();
  let received = 0;
  let lastId = '0';
  let ordered = true;
  const done = new Promise<number>((resolveDone) => {
    const socket = io(`${args.url}/v2`, {
      auth: { token: args.token, rooms: [args.room], last_event_id: args.lastEventId },
      transports: ['websocket'],
      reconnection: false,
    });
    socket.on('event_history', (event: { id: string }) => {
      if (BigInt(event.id) <= BigInt(lastId)) ordered = false;
      lastId = event.id;
      if (++received === args.expected) {
        resolveDone(performance.now());
        socket.disconnect();
      }
    });
  });
  const finished = await done;
  printResultAndExit({ received, ms: finished - started, ordered });
}

const sockets: Socket[] = [];
for (let i = 0; i < args.count; i += 50) {
  const batch = Math.min(50, args.count - i);
  sockets.push(
    ...(await Promise.all(
      Array.from({ length: batch }, (_, j) =>
        connect({
          token: args.tokens?.length ? args.tokens[(i + j) % args.tokens.length] : args.token,
          rooms: [args.room],
        }),
      ),
    )),
  );
}

if (args.mode === 'idle') {
  process.stdout.write('READY\n');
  process.once('SIGTERM', () => {
    for (const socket of sockets) socket.disconnect();
    process.exit(0);
  });
  setInterval(() => undefined, 60_000);
} else {
  const latencies: number[] = [];
  let stopped = 0;
  const allStopped = new Promise<void>((resolveStopped) => {
    for (const socket of sockets) {
      socket.on(
        'room_message',
        (event: { data: { data: { sent_at?: number; stop?: boolean } } }) => {
          const payload = event.data.data;
          if (payload.stop) {
            if (++stopped === sockets.length) resolveStopped();
            return;
          }
          if (payload.sent_at) latencies.push(Date.now() - payload.sent_at);
        },
      );
    }
  });
  process.stdout.write('READY\n');
  await allStopped;
  for (const socket of sockets) socket.disconnect();
  printResultAndExit({ latencies });
}
