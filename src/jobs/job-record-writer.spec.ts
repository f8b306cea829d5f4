import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { CacheVersions } from '../common/cache/cache-versions.service.js';
import type { EventBus } from '../realtime/event-bus.service.js';
import { JobRecordWriter } from './job-record-writer.service.js';

/** A database that answers every UPDATE with no rows, after a short wait. */
function writerWithStore(delayMs = 5) {
  let statements = 0;
  const sent: Record<string, unknown>[][] = [];
  const dataSource = {
    query: async (_sql: string, [rows]: [string]) => {
      statements++;
      sent.push(JSON.parse(rows) as Record<string, unknown>[]);
      await new Promise((resolveQuery) => setTimeout(resolveQuery, delayMs));
      return [];
    },
    getMetadata: () => ({ columns: [] }),
  } as unknown as DataSource;
  const events = { publishAll: async () => undefined } as unknown as EventBus;
  const cache = { bump: async () => undefined } as unknown as CacheVersions;
  return {
    writer: new JobRecordWriter(dataSource, events, cache),
    statements: () => statements,
    sent,
  };
}

describe('JobRecordWriter', () => {
  it('flushes changes queued before shutdown without spinning', async () => {
    const { writer, statements } = writerWithStore();
    const stored = writer.update('a', 1, { progress: 10 }, 'job.progress', false);
    const heapBefore = process.memoryUsage().heapUsed;
    await writer.onApplicationShutdown();
    await stored;
    expect(statements()).toBe(1);
    // A runaway flush loop grows the heap by hundreds of megabytes before it ends (if ever).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
  });

  it('flushes changes queued while a batch is being written', async () => {
    const { writer, statements } = writerWithStore(30);
    const first = writer.update('a', 1, { progress: 10 }, 'job.progress', false);
    await new Promise((resolveWait) => setTimeout(resolveWait, 25));
    const second = writer.update('b', 1, { progress: 20 }, 'job.progress', false);
    await writer.flush();
    await Promise.all([first, second]);
    expect(statements()).toBe(2);
  });

  it('counts every run started since the last write, not just the last one', async () => {
    const { writer, sent } = writerWithStore();
    // A start, a quick failure and the retry's start, all before one write.
    const writes = [
      writer.update('a', 1, { status: 'active', attemptsAdded: 1 }, 'job.started', false),
      writer.update('a', 1, { status: 'delayed', error: 'boom' }, 'job.retrying', false),
      writer.update('a', 1, { status: 'active', attemptsAdded: 1 }, 'job.started', false),
    ];
    await writer.flush();
    await Promise.all(writes);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual([
      expect.objectContaining({ id: 'a', attempts_added: 2, status: 'active' }),
    ]);
  });

  it("writes a job's last change and its retried run's first change, both", async () => {
    const { writer, sent } = writerWithStore();
    const writes = [
      writer.update('a', 1, { status: 'failed', error: 'boom' }, 'job.failed', false),
      writer.update('a', 2, { status: 'active', attemptsAdded: 1 }, 'job.started', false),
    ];
    await writer.flush();
    await Promise.all(writes);
    expect(sent.flat()).toEqual([
      expect.objectContaining({ id: 'a', generation: 1, status: 'failed' }),
      expect.objectContaining({ id: 'a', generation: 2, status: 'active' }),
    ]);
  });
});
