import { describe, expect, it } from 'vitest';
import type { CacheVersions } from '../common/cache/cache-versions.service.js';
import type { Runtime } from '../config/config.module.js';
import { EventBus } from './event-bus.service.js';
import type { RoutedEvent } from './event-routing.js';
import type { EventStore } from './event-store.service.js';

/** A store that refuses, as PostgreSQL does, any batch holding a NUL. */
function refusingStore() {
  const stored: RoutedEvent[] = [];
  const store = {
    append: async (events: RoutedEvent[]) => {
      if (events.some((event) => JSON.stringify(event.data).includes('\\u0000')))
        throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
      stored.push(...events);
      return events.map((event, index) => ({
        id: String(stored.length - events.length + index + 1),
        type: event.type,
        rooms: event.rooms,
        data: event.data,
        created_at: new Date().toISOString(),
      }));
    },
  };
  return { store: store as unknown as EventStore, stored };
}

const cache = { bump: async () => undefined } as unknown as CacheVersions;

describe('EventBus', () => {
  it('drops only the event the database refuses, not the others of its batch', async () => {
    const { store, stored } = refusingStore();
    const bus = new EventBus(store, cache, {} as Runtime);
    await bus.publish('system.notification', { room: 'room:a', data: { n: 1 } });
    const refused = bus.publishAndWait('system.notification', {
      room: 'room:a',
      data: { n: 'bad\u0000' },
    });
    await bus.publish('system.notification', { room: 'room:a', data: { n: 3 } });
    await expect(refused).rejects.toThrow(/could not be stored/);
    await bus.flushed();
    expect(stored.map((event) => event.data.n)).toEqual([1, 3]);
  });

  it('counts an event whose cache bump has not returned as not yet flushed', async () => {
    const { store, stored } = refusingStore();
    let answer: () => void = () => undefined;
    const slowCache = {
      bump: () => new Promise<void>((resolveBump) => (answer = resolveBump)),
    } as unknown as CacheVersions;
    const bus = new EventBus(store, slowCache, {} as Runtime);
    // A caller that does not wait for its publication (a listener after commit).
    void bus.publish('system.notification', { room: 'room:a', data: { n: 1 } });
    const flushed = bus.flushed();
    setTimeout(answer, 20);
    await flushed;
    expect(stored.map((event) => event.data.n)).toEqual([1]);
  });
});
