import { sleep } from '../../../src/common/async.js';

export interface Outcome {
  label: string;
  /** Epoch ms when the request was sent. */
  at: number;
  ms: number;
  /** HTTP status, or 0 when no response came (the error says why). */
  status: number;
  error?: string;
}

export interface LoadOptions {
  concurrency: number;
  /** Bounds: the loop stops at whichever comes first, or at stop(). */
  maxRequests: number;
  maxMs: number;
  /** Pause between two requests of one loop, to leave the 2-core machine some air. */
  pauseMs?: number;
}

/**
 * Concurrent request loops that record every outcome, for assertions about what
 * clients saw before, during and after a fault.
 */
export class LoadLoop {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private sent = 0;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly options: LoadOptions,
    private readonly next: (
      index: number,
    ) => Promise<{ label: string; status: number; error?: string }>,
  ) {}

  start(): this {
    const deadline = Date.now() + this.options.maxMs;
    for (let i = 0; i < this.options.concurrency; i++) {
      this.loops.push(
        (async () => {
          while (!this.stopped && this.sent < this.options.maxRequests && Date.now() < deadline) {
            const index = this.sent++;
            const at = Date.now();
            const result = await this.next(index).catch((error: Error) => ({
              label: 'request',
              status: 0,
              error: error.message,
            }));
            this.outcomes.push({ ...result, at, ms: Date.now() - at });
            await sleep(this.options.pauseMs ?? 10);
          }
        })(),
      );
    }
    return this;
  }

  async stop(): Promise<Outcome[]> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.outcomes;
  }

  /** Outcomes of requests sent at or after `from` and answered before `to`. */
  between(from: number, to: number): Outcome[] {
    return this.outcomes.filter((outcome) => outcome.at >= from && outcome.at + outcome.ms < to);
  }
}

/** `{"200": 12, "503": 3}`: a compact view for assertion messages. */
export function countByStatus(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, error } of outcomes) {
    const key = status ? String(status) : `error: ${error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs} ms${lastError ? ` (${(lastError as Error).message})` : ''}`,
      );
    await sleep(everyMs);
  }
}

/** Lines a spawned service logged for answers of 500 and up other than 503: for failure messages. */
export function serverErrors(output: string): string {
  return output
    .split('\n')
    .filter((line) => line.includes('failed with 5') && !line.includes('failed with 503'))
    .map((line) => line.slice(0, 2_000))
    .join('\n');
}
