import { describe, expect, it } from 'vitest';
import { type Runtime, shutdownWaitMs } from './config.module.js';

describe('shutdownWaitMs', () => {
  it('is the cap until a shutdown starts', () => {
    expect(shutdownWaitMs({} as Runtime, 2_000, 4_000)).toBe(2_000);
  });

  it('is what the budget has left after the reserve, never below zero', () => {
    const runtime = { shutdownDeadline: Date.now() + 5_000 } as Runtime;
    const wait = shutdownWaitMs(runtime, 2_000, 4_000);
    expect(wait).toBeGreaterThan(900);
    expect(wait).toBeLessThanOrEqual(1_000);
    expect(shutdownWaitMs(runtime, 2_000, 9_000)).toBe(0);
    expect(shutdownWaitMs(runtime, 2_000)).toBe(2_000);
  });
});
