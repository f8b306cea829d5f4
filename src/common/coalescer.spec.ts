import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('Coalescer', () => {
  it('merges the requests made during a run into one next run, and settles each after a run that began after it', async () => {
    const runs: string[][] = [];
    const first = gate();
    const coalescer = new Coalescer<string>(async (keys) => {
      runs.push(keys);
      if (runs.length === 1) await first.opened;
    });
    const settled: string[] = [];
    const a = coalescer.request(['run-1']).then(() => settled.push('a'));
    const b = coalescer.request(['run-1', 'run-2']).then(() => settled.push('b'));
    const c = coalescer.request(['run-2']).then(() => settled.push('c'));
    await Promise.resolve();
    expect(settled).toEqual([]);
    first.open();
    await Promise.all([a, b, c]);
    expect(runs).toEqual([['run-1'], ['run-1', 'run-2']]);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('rejects the callers of a failed run only, and keeps serving later requests', async () => {
    let fail = true;
    const coalescer = new Coalescer<number>(async () => {
      if (fail) throw new Error('database gone');
    });
    await expect(coalescer.request([1])).rejects.toThrow('database gone');
    fail = false;
    await expect(coalescer.request([2])).resolves.toBeUndefined();
  });

  it('asks for nothing when no key is given', async () => {
    let calls = 0;
    const coalescer = new Coalescer<number>(async () => {
      calls++;
    });
    await coalescer.request([]);
    expect(calls).toBe(0);
  });
});
