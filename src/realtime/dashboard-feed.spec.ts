import { describe, expect, it } from 'vitest';
import { toFeedEvents } from './dashboard-feed.js';

const notification = (rooms: string[]) => ({
  id: '1',
  type: 'system_notification',
  rooms,
  data: { event: 'notification', message: 'hello' },
  timestamp: '2026-01-01T00:00:00.000Z',
});

describe('dashboard feed (namespace /)', () => {
  it('turns only notifications meant for everyone into system_alert', () => {
    expect(toFeedEvents(notification(['system']))).toEqual([
      { event: 'system_alert', payload: expect.objectContaining({ message: 'hello' }) },
    ]);
    for (const room of ['admin', 'room:ops', 'user:11111111-1111-4111-8111-111111111111'])
      expect(toFeedEvents(notification([room]))).toEqual([]);
  });
});
