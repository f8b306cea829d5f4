/**
 * CONTRACT §3: a failed or timed-out step is retried on the same task with
 * attempt + 1 after 1 s × 2^(attempt − 1), at most 60 s, up to `max_retries` times.
 */
export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 60_000;

/** The wait before the attempt after `failedAttempt` (1-based). */
export function retryDelayMs(failedAttempt: number): number {
  const exponent = Math.max(0, failedAttempt - 1);
  // 2^6 s already passes the cap; stop before the number grows absurd.
  return exponent >= 6 ? RETRY_CAP_MS : Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** exponent);
}

export interface RetryCandidate {
  attempt: number;
  /** The highest attempt this step may reach (1 + max_retries, raised by a run retry). */
  maxAttempts: number;
  /** From the agent's `fail`: false means a retry cannot help. */
  retryable: boolean | null;
}

/** May this failed step have another attempt? */
export function canRetry(step: RetryCandidate): boolean {
  return step.retryable !== false && step.attempt < step.maxAttempts;
}

/** When the next attempt is due, given when the failed one ended. */
export function retryDueAt(failedAt: Date, failedAttempt: number): Date {
  return new Date(failedAt.getTime() + retryDelayMs(failedAttempt));
}
