import { describe, expect, it } from 'vitest';
import { canRetry, retryDelayMs, retryDueAt } from './retry-policy.js';

describe('retry policy', () => {
  it('backs off 1 s × 2^(attempt − 1), capped at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map(retryDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('retries while attempts remain and the agent did not say a retry is useless', () => {
    expect(canRetry({ attempt: 1, maxAttempts: 4, retryable: null })).toBe(true);
    expect(canRetry({ attempt: 3, maxAttempts: 4, retryable: true })).toBe(true);
    expect(canRetry({ attempt: 4, maxAttempts: 4, retryable: null })).toBe(false);
    expect(canRetry({ attempt: 1, maxAttempts: 4, retryable: false })).toBe(false);
    expect(canRetry({ attempt: 1, maxAttempts: 1, retryable: null })).toBe(false);
  });

  it('dates the next attempt from the end of the failed one', () => {
    const failedAt = new Date('2030-01-01T00:00:00.000Z');
    expect(retryDueAt(failedAt, 2).toISOString()).toBe('2030-01-01T00:00:02.000Z');
  });
});
