import { describe, expect, it } from 'vitest';
import { fillBuckets, timeWindow } from './time-range.js';

const now = new Date('2026-03-10T14:37:25.500Z');

describe('time ranges', () => {
  it('1h: sixty whole minutes, the last holding now', () => {
    const window = timeWindow('1h', now);
    expect(window.bucketStarts).toHaveLength(60);
    expect(window.since.toISOString()).toBe('2026-03-10T13:38:00.000Z');
    expect(window.bucketStarts.at(-1)!.toISOString()).toBe('2026-03-10T14:37:00.000Z');
    expect(window.until).toBe(now);
  });

  it('24h: hours; 7d: 6-hour blocks; 30d: UTC days', () => {
    const day = timeWindow('24h', now);
    expect(day.bucketStarts).toHaveLength(24);
    expect(day.since.toISOString()).toBe('2026-03-09T15:00:00.000Z');
    const week = timeWindow('7d', now);
    expect(week.bucketStarts).toHaveLength(28);
    expect(week.bucketStarts.at(-1)!.toISOString()).toBe('2026-03-10T12:00:00.000Z');
    expect(week.since.toISOString()).toBe('2026-03-03T18:00:00.000Z');
    const month = timeWindow('30d', now);
    expect(month.bucketStarts).toHaveLength(30);
    expect(month.since.toISOString()).toBe('2026-02-09T00:00:00.000Z');
  });

  it('buckets are contiguous and cover at least the nominal range', () => {
    for (const range of ['1h', '24h', '7d', '30d'] as const) {
      const window = timeWindow(range, now);
      const starts = window.bucketStarts.map((d) => d.getTime());
      for (let i = 1; i < starts.length; i++)
        expect(starts[i] - starts[i - 1]).toBe(window.bucketMs);
      const covered = now.getTime() - window.since.getTime();
      expect(covered).toBeGreaterThan((starts.length - 1) * window.bucketMs);
      expect(covered).toBeLessThanOrEqual(starts.length * window.bucketMs);
    }
  });

  it('fills missing buckets with zeros', () => {
    const window = timeWindow('1h', now);
    const rows = new Map([[window.bucketStarts[3].getTime(), { count: 7 }]]);
    const filled = fillBuckets(window, rows, () => ({ count: 0 }));
    expect(filled).toHaveLength(60);
    expect(filled[3]).toEqual({ timestamp: '2026-03-10T13:41:00.000Z', count: 7 });
    expect(filled.reduce((sum, point) => sum + point.count, 0)).toBe(7);
  });
});
