import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/config.js';
import { ApiMetricsRecorder, statusClass } from './api-metrics.recorder.js';
import type { ApiMetricRow, ApiMetricsRepository } from './api-metrics.repository.js';
import { histogramCount } from './histogram.js';

class MemoryRepository {
  writes: ApiMetricRow[][] = [];
  failNext = false;
  async add(rows: ApiMetricRow[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database away');
    }
    this.writes.push(rows.map((row) => ({ ...row, histogram: [...row.histogram] })));
  }
}

function recorder() {
  const repository = new MemoryRepository();
  const config = { role: 'all' } as AppConfig;
  return {
    repository,
    recorder: new ApiMetricsRecorder(repository as unknown as ApiMetricsRepository, config),
  };
}

const at = Date.parse('2026-05-01T10:00:30Z');
const sample = (status: number, durationMs: number, route = '/api/v2/agents/:id') => ({
  method: 'GET',
  route,
  status,
  durationMs,
  credential: 'api_key' as const,
});

describe('API metrics recorder', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('classes statuses', () => {
    expect([200, 204, 301, 404, 499, 503].map(statusClass)).toEqual([
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '5xx',
    ]);
  });

  it('aggregates requests per minute, route, method, status class and credential; one write per flush', async () => {
    const { recorder: r, repository } = recorder();
    for (let i = 0; i < 10; i++) r.record(sample(200, 5 + i), at);
    r.record(sample(404, 3), at);
    r.record(sample(200, 7), at + 60_000);
    expect(r.pendingRows).toBe(3);
    await r.flush();
    expect(repository.writes).toHaveLength(1);
    const rows = repository.writes[0];
    const ok = rows.find(
      (row) =>
        row.statusClass === '2xx' && row.minute.getTime() === Date.parse('2026-05-01T10:00:00Z'),
    )!;
    expect(ok).toMatchObject({ count: 10, sumMs: 95, minMs: 5, maxMs: 14, credential: 'api_key' });
    expect(histogramCount(ok.histogram)).toBe(10);
    expect(rows.map((row) => row.count).sort()).toEqual([1, 1, 10]);
    await r.flush();
    expect(repository.writes).toHaveLength(1);
  });

  it('keeps the rows when a write fails and adds them to the next flush', async () => {
    const { recorder: r, repository } = recorder();
    r.record(sample(200, 10), at);
    repository.failNext = true;
    await expect(r.flush()).rejects.toThrow('database away');
    r.record(sample(200, 20), at);
    await r.flush();
    expect(repository.writes).toHaveLength(1);
    expect(repository.writes[0]).toEqual([
      expect.objectContaining({ count: 2, sumMs: 30, minMs: 10, maxMs: 20 }),
    ]);
  });
});
