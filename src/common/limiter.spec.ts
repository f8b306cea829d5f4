import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.js';

const tick = () => new Promise<void>((resolveTick) => setImmediate(resolveTick));

describe('Limiter', () => {
  it('runs at most its limit at once, the others in arrival order', async () => {
    const limiter = new Limiter(2, 5_000, () => new Error('busy'));
    const started: number[] = [];
    const release: (() => void)[] = [];
    const runs = [0, 1, 2, 3].map((n) =>
      limiter.run(async () => {
        started.push(n);
        await new Promise<void>((resolveRun) => release.push(resolveRun));
        return n;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    release[0]();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    release[1]();
    release[2]();
    await tick();
    release[3]();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
  });

  it('frees the slot of a call that fails', async () => {
    const limiter = new Limiter(1, 5_000, () => new Error('busy'));
    await expect(limiter.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });

  it('refuses a call that waited too long, and lets the next ones through', async () => {
    const limiter = new Limiter(1, 20, () => new Error('busy'));
    let release: () => void = () => undefined;
    const first = limiter.run(() => new Promise<void>((resolveRun) => (release = resolveRun)));
    await expect(limiter.run(async () => 'late')).rejects.toThrow('busy');
    release();
    await first;
    expect(await limiter.run(async () => 'next')).toBe('next');
  });
});
