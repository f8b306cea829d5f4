import { describe, expect, it } from 'vitest';
import { formatUptime } from './uptime.js';

describe('uptime', () => {
  it('reads like a Python timedelta', () => {
    expect(formatUptime(0)).toBe('0:00:00');
    expect(formatUptime(3725.9)).toBe('1:02:05');
    expect(formatUptime(86_400 + 61)).toBe('1 day, 0:01:01');
    expect(formatUptime(2 * 86_400 + 3 * 3600 + 4 * 60 + 5)).toBe('2 days, 3:04:05');
  });
});
