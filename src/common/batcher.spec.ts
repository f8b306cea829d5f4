import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('Batcher', () => {
  it('serves the keys asked for during a batch as the next batch, each answer from a batch begun after its request', async () => {
    const batches: string[][] = [];
    const first = gate();
    const batcher = new Batcher<string, number>(async (keys) => {
      batches.push(keys);
      if (batches.length === 1) await first.opened;
      return new Map(keys.map((key) => [key, batches.length]));
    });
    const a = batcher.ask('run-1');
    const b = batcher.ask('run-2');
    await new Promise((resolve) => setImmediate(resolve));
    const c = batcher.ask('run-1');
    const d = batcher.ask('run-3');
    first.open();
    expect(await Promise.all([a, b, c, d])).toEqual([1, 1, 2, 2]);
    expect(batches).toEqual([
      ['run-1', 'run-2'],
      ['run-1', 'run-3'],
    ]);
  });

  it('answers undefined for a key the batch left out, and splits a burst at the batch size', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, string>(async (keys) => {
      batches.push(keys);
      return new Map(keys.filter((key) => key !== 2).map((key) => [key, `record ${key}`]));
    }, 2);
    expect(await Promise.all([1, 2, 3].map((key) => batcher.ask(key)))).toEqual([
      'record 1',
      undefined,
      'record 3',
    ]);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("rejects the failed batch's callers only, and keeps serving later requests", async () => {
    let fail = true;
    const batcher = new Batcher<number>(async () => {
      if (fail) throw new Error('database gone');
    });
    await expect(batcher.askAll([1, 2])).rejects.toThrow('database gone');
    fail = false;
    await expect(batcher.askAll([2])).resolves.toBeUndefined();
    await expect(batcher.askAll([])).resolves.toBeUndefined();
  });
});
