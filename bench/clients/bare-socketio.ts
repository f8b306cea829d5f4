/*
 * The bare Socket.IO twin of the fan-out figure: Socket.IO 4 on a plain HTTP server,
 * namespace /v2, clients join the rooms of their handshake (no authentication, no
 * history, no Redis). `POST /start?rate=&seconds=&room=` emits `room_message` envelopes
 * of the service's shape from a timer, then a stop message, exactly as the harness
 * paces its REST broadcasts against the service.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'POST' || url.pathname !== '/start') {
    res.writeHead(404).end();
    return;
  }
  const rate = Number(url.searchParams.get('rate'));
  const seconds = Number(url.searchParams.get('seconds'));
  const room = url.searchParams.get('room') ?? 'room:bench';
  res.writeHead(202).end();
  void emitPaced(room, rate, seconds);
});
const io = new Server(http, { transports: ['websocket'] });
const v2 = io.of('/v2');
v2.on('connection', (socket) => {
  const rooms = (socket.handshake.auth as { rooms?: unknown }).rooms;
  if (Array.isArray(rooms)) void socket.join(rooms.filter((r) => typeof r === 'string'));
});

let id = 0;
function emit(room: string, data: Record<string, unknown>): void {
  v2.to(room).emit('room_message', {
    id: String(++id),
    type: 'room_message',
    rooms: [room],
    data: { room, data },
    timestamp: new Date().toISOString(),
  });
}

async function emitPaced(room: string, rate: number, seconds: number): Promise<void> {
  const started = Date.now();
  for (let sent = 0; sent < rate * seconds; sent++) {
    const due = started + (sent * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    emit(room, { sent_at: Date.now(), n: sent });
  }
  await new Promise((r) => setTimeout(r, 2_000));
  emit(room, { stop: true });
}

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => {
  void io.close();
  process.exit(0);
});
