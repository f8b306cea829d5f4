import { mkdtemp, readdir, rm, writeFile, utimes } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/config.js';
import { MissingObjectError, readBytes } from './file-store.js';
import { LocalFileStore } from './local-file-store.js';

describe('LocalFileStore', () => {
  let root: string;
  let store: LocalFileStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'files-store-'));
    store = new LocalFileStore({ uploadDir: root } as AppConfig);
    await store.init(['images', 'data_files']);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes under a generated key, with size and sha256, and reads back whole or in part', async () => {
    const content = Buffer.from('0123456789abcdefghij');
    const stored = await store.write(
      'data_files',
      Readable.from([content.subarray(0, 7), content.subarray(7)]),
    );
    expect(stored.key).toMatch(/^data_files\/[0-9a-f-]{36}$/);
    expect(stored.size).toBe(20);
    expect(stored.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(await readBytes(store, stored.key, { start: 0, end: 19 })).toEqual(content);
    expect((await readBytes(store, stored.key, { start: 10, end: 12 })).toString()).toBe('abc');
    expect(await store.stat(stored.key)).toMatchObject({ size: 20 });
  });

  it('leaves nothing behind when the source fails midway', async () => {
    const failing = new Transform({
      transform(chunk, _encoding, callback) {
        callback(null, chunk);
      },
    });
    const written = store.write('images', failing);
    failing.write(Buffer.alloc(1000));
    failing.destroy(new Error('limit exceeded'));
    await expect(written).rejects.toThrow('limit exceeded');
    expect(await readdir(join(root, 'images'))).toEqual([]);
  });

  it('leaves nothing behind when the source fails before the file is even open', async () => {
    // An upload refused by another file of its request aborts this one at once.
    for (let attempt = 0; attempt < 20; attempt++) {
      const source = new Readable({ read() {} });
      const written = store.write('images', source);
      source.destroy(new Error('refused'));
      await expect(written).rejects.toThrow('refused');
    }
    expect(await readdir(join(root, 'images'))).toEqual([]);
  });

  it('reports missing objects, removes idempotently and refuses malformed keys', async () => {
    const stored = await store.write('images', Readable.from([Buffer.from('x')]));
    await store.remove(stored.key);
    await store.remove(stored.key);
    await expect(store.read(stored.key)).rejects.toBeInstanceOf(MissingObjectError);
    expect(await store.stat(stored.key)).toBeUndefined();
    await expect(store.read('images/../../etc/passwd')).rejects.toThrow(/malformed/);
    await expect(store.write('../x', Readable.from([]))).rejects.toThrow(/malformed/);
  });

  it('checks health: writable, with free space measured', async () => {
    const health = await store.check();
    expect(health).toMatchObject({ status: 'up', writable: true, location: root });
    expect(health.free_bytes).toBeGreaterThan(0);
    expect(health.total_bytes).toBeGreaterThanOrEqual(health.free_bytes!);
    await rm(root, { recursive: true, force: true });
    expect(await store.check()).toMatchObject({ status: 'down', writable: false });
  });

  it('removes partial files left by crashed processes at start-up, not fresh ones', async () => {
    const old = join(root, 'images', '00000000-0000-4000-8000-000000000000.part');
    const fresh = join(root, 'images', '00000000-0000-4000-8000-000000000001.part');
    await writeFile(old, 'x');
    await writeFile(fresh, 'x');
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    await utimes(old, twoDaysAgo, twoDaysAgo);
    await store.init(['images']);
    expect(await readdir(join(root, 'images'))).toEqual([
      '00000000-0000-4000-8000-000000000001.part',
    ]);
  });
});
