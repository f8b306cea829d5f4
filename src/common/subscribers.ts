import { Logger } from '@nestjs/common';
import { InFlight } from './in-flight.js';

/** How long shutdown waits for subscribers still running, at most. */
export const SUBSCRIBERS_SHUTDOWN_WAIT_MS = 2_000;
/** Kept of the shutdown budget for what comes after: the event bus's flush. */
export const SUBSCRIBERS_SHUTDOWN_RESERVE_MS = 4_000;

/**
 * In-process subscribers to what a module committed, told after the commit and after
 * the change's own events were handed to the event bus. A module exposes one so that
 * modules building on it (the orchestrator) react at once without it depending on them.
 * Fire and forget: a subscriber never delays or fails the write that caused it; the
 * work it started can be awaited (shutdown, tests).
 */
export class Subscribers<Args extends unknown[]> {
  private readonly logger: Logger;
  private readonly listeners: ((...args: Args) => Promise<void>)[] = [];
  private readonly running = new InFlight();

  constructor(name: string) {
    this.logger = new Logger(name);
  }

  subscribe(listener: (...args: Args) => Promise<void>): void {
    this.listeners.push(listener);
  }

  notify(...args: Args): void {
    for (const listener of this.listeners)
      this.running.start(
        () => listener(...args),
        (error) => this.logger.warn(`a subscriber failed: ${error.message}`),
      );
  }

  /** Resolves once the subscribers started so far have ended (or after `maxMs`). */
  settled(maxMs?: number): Promise<void> {
    return this.running.settled(maxMs);
  }

  /** No subscriber is running. */
  get idle(): boolean {
    return this.running.idle;
  }
}
