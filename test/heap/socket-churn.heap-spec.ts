import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/realtime/event-bus.service.js';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from '../support/app.js';
import { connectSocket } from '../support/socket.js';
import { sleep } from '../support/poll.js';

const MB = 1024 * 1024;
const ROOMS = ['room:churn-a', 'room:churn-b', 'room:churn-c'];

/** Heap in use once everything unreachable is collected (the process runs with --expose-gc). */
async function settledHeap(): Promise<number> {
  let heap = Infinity;
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    global.gc!();
    heap = Math.min(heap, process.memoryUsage().heapUsed);
  }
  return heap;
}

describe('memory under socket churn', () => {
  let stores: TestStores;
  let app: TestApp;
  let lastId = '0';

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  /** One socket's life: reconnect with replay, join, explicit replay, send, leave. */
  async function cycle(i: number): Promise<void> {
    const socket = await connectSocket(app.url, {
      token: TEST_ADMIN_KEY,
      rooms: [ROOMS[i % ROOMS.length]],
      lastEventId: lastId,
    });
    await socket.ack('join_room', { room: ROOMS[(i + 1) % ROOMS.length] });
    await socket.ack('replay', { after_id: lastId, limit: 20 });
    if (i % 10 === 0) {
      const sent = await socket.ack('room_message', {
        room: ROOMS[i % ROOMS.length],
        data: { i },
      });
      lastId = String(Math.max(0, Number(sent.event_id ?? lastId) - 15));
    }
    socket.close();
  }

  async function round(cycles: number): Promise<void> {
    const parallel = 8;
    for (let start = 0; start < cycles; start += parallel) {
      await Promise.all(
        Array.from({ length: Math.min(parallel, cycles - start) }, (_, k) => cycle(start + k)),
      );
      if (start % 80 === 0)
        await app.service.app.get(EventBus).publish('system.notification', {
          room: ROOMS[start % ROOMS.length],
          data: { start },
        });
    }
    // Let the server see the last disconnects.
    await sleep(500);
  }

  it('returns to its baseline after thousands of connect, join, replay, disconnect', async () => {
    await round(400); // warm-up: caches, compiled code, pools
    const baseline = await settledHeap();
    const heaps: number[] = [];
    for (let r = 0; r < 4; r++) {
      await round(600);
      heaps.push(await settledHeap());
    }
    const report = heaps.map((heap) => `${((heap - baseline) / MB).toFixed(1)} MB`).join(', ');
    console.log(
      `heap after warm-up ${(baseline / MB).toFixed(1)} MB; growth after each 600 cycles: ${report}`,
    );
    // Each cycle left behind would cost kilobytes (2,400 cycles: several MB).
    expect(heaps[heaps.length - 1] - baseline).toBeLessThan(4 * MB);
  });
});
