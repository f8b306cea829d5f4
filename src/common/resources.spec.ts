import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  diskUsage,
  diskUsageFromStatfs,
  hostCpuPercent,
  parseRedisInfo,
  processCpuPercent,
  sumCpuTimes,
} from './resources.js';

const core = (user: number, sys: number, idle: number) => ({
  model: 'x',
  speed: 1,
  times: { user, nice: 0, sys, idle, irq: 0 },
});

describe('resource arithmetic', () => {
  it('host CPU: busy share of every core between two readings', () => {
    const before = sumCpuTimes([core(100, 50, 850), core(0, 0, 1000)]);
    const after = sumCpuTimes([core(400, 50, 1550), core(0, 0, 2000)]);
    // 2000 ms elapsed over both cores, 300 busy.
    expect(hostCpuPercent(before, after)).toBe(15);
    expect(hostCpuPercent(after, after)).toBeNull();
  });

  it('process CPU: share of the host and of one core', () => {
    const from = { user: 1_000_000, system: 500_000 };
    const to = { user: 1_600_000, system: 700_000 };
    // 800 ms of CPU in 1000 ms on 4 cores.
    expect(processCpuPercent(from, to, 1000, 4)).toEqual({ host: 20, oneCore: 80 });
    expect(processCpuPercent(from, to, 0, 4)).toEqual({ host: null, oneCore: null });
  });

  it('disk: df-style used percentage from statfs', () => {
    const usage = diskUsageFromStatfs('/data', {
      bsize: 4096,
      blocks: 1000,
      bfree: 300,
      bavail: 200,
    });
    expect(usage).toEqual({
      path: '/data',
      total_bytes: 4_096_000,
      available_bytes: 819_200,
      used_bytes: 2_867_200,
      used_percent: 77.78,
    });
  });

  it('disk: measures the nearest existing ancestor of a missing directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'disk-'));
    try {
      const usage = await diskUsage(join(dir, 'not', 'yet', 'there'));
      expect(usage.total_bytes).toBeGreaterThan(0);
      expect(usage.used_percent).toBeGreaterThanOrEqual(0);
      expect(usage.path).toBe(join(dir, 'not', 'yet', 'there'));
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('parses Redis INFO sections', () => {
    const info = parseRedisInfo(
      '# Memory\r\nused_memory:1024\r\nused_memory_peak:2048\r\n\r\n# Clients\r\nconnected_clients:7\r\n',
    );
    expect(info.get('used_memory')).toBe('1024');
    expect(info.get('used_memory_peak')).toBe('2048');
    expect(info.get('connected_clients')).toBe('7');
    expect(info.has('# Memory')).toBe(false);
  });
});
