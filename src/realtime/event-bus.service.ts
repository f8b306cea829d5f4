import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CacheVersions } from '../common/cache/cache-versions.service.js';
import { InjectRuntime, type Runtime, shutdownWaitMs } from '../config/config.module.js';
import { sleep, withTimeout } from '../common/async.js';
import type { DomainEventMap, DomainEventName } from './domain-events.js';
import type { CacheFamily } from '../common/cache/cached.decorator.js';
import { cacheFamiliesOf, routeDomainEvent, RoutedEvent } from './event-routing.js';
import type { EventStamp } from './event.entity.js';
import { EventStore } from './event-store.service.js';

const MAX_BATCH = 500;

/** A domain event as a (name, payload) pair, the two matching. */
export type DomainEventTuple = {
  [K in DomainEventName]: [K, DomainEventMap[K]];
}[DomainEventName];

interface Pending {
  event: RoutedEvent;
  /** Set by publishAndWait and publishAllTracked: called with the stored event's id and time. */
  stored?: (stamp: EventStamp | undefined) => void;
}
const RETRY_DELAYS_MS = [100, 500, 1_000, 2_000, 5_000];
/** How long shutdown waits for the queued events to be written (at most, within its budget). */
const SHUTDOWN_FLUSH_MS = 3_000;
/** ... and then for the store's connections to close. */
const SHUTDOWN_CLOSE_MS = 1_000;

/**
 * Where services announce what happened. Publishing bumps the cache versions at
 * once (the caller's next read is fresh), then the events are written to the
 * history in batches and delivered to sockets by every API instance.
 */
@Injectable()
export class EventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('EventBus');
  private queue: Pending[] = [];
  private flushing?: Promise<void>;
  private idle: Promise<void> = Promise.resolve();
  /** Publications waiting for their cache bump; their events are not queued yet. */
  private readonly bumping = new Set<Promise<void>>();
  /** Shut down: the store's connections are closed. */
  private closed = false;

  constructor(
    private readonly store: EventStore,
    private readonly cache: CacheVersions,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  async publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): Promise<void> {
    await this.publishAll([[name, payload] as DomainEventTuple]);
  }

  /** Publishes and waits until the events are stored; resolves with their ids and times. */
  async publishAndWait<K extends DomainEventName>(
    name: K,
    payload: DomainEventMap[K],
  ): Promise<EventStamp[]> {
    const { families, pending } = routed([[name, payload] as DomainEventTuple]);
    const stored = pending.map(
      (entry) =>
        new Promise<EventStamp | undefined>((resolveStored) => (entry.stored = resolveStored)),
    );
    await this.enqueue(families, pending);
    const stamps = await Promise.all(stored);
    if (stamps.some((stamp) => !stamp)) throw new Error('The event could not be stored');
    return stamps as EventStamp[];
  }

  /** Publishes several events of one change in one go. */
  async publishAll(events: DomainEventTuple[]): Promise<void> {
    const { families, pending } = routed(events);
    await this.enqueue(families, pending);
  }

  /**
   * Like publishAll, and tells when they are in the history: `stored` resolves once
   * the last of them is (the history is written in order), without the caller
   * having to wait for it.
   */
  async publishAllTracked(events: DomainEventTuple[]): Promise<{ stored: Promise<void> }> {
    const { families, pending } = routed(events);
    const last = pending.at(-1);
    const stored = last
      ? new Promise<void>((resolveStored, reject) => {
          last.stored = (stamp) =>
            stamp ? resolveStored() : reject(new Error('The event could not be stored'));
        })
      : Promise.resolve();
    stored.catch(() => undefined);
    await this.enqueue(families, pending);
    return { stored };
  }

  /**
   * Resolves when everything published so far is in the history (tests, shutdown),
   * including events whose cache bump is still on its way to Redis.
   */
  async flushed(): Promise<void> {
    while (this.bumping.size || this.queue.length || this.flushing) {
      if (this.bumping.size) await Promise.allSettled([...this.bumping]);
      else await (this.flushing ?? this.idle);
    }
  }

  /** Bumps the cache versions, then queues the events for the history. */
  private async enqueue(families: CacheFamily[], pending: Pending[]): Promise<void> {
    const queued = this.cache.bump(families).then(() => {
      this.queue.push(...pending);
      this.scheduleFlush();
    });
    this.bumping.add(queued);
    try {
      await queued;
    } finally {
      this.bumping.delete(queued);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const flushMs = shutdownWaitMs(this.runtime, SHUTDOWN_FLUSH_MS, SHUTDOWN_CLOSE_MS);
    await withTimeout(this.flushed(), flushMs, 'flush').catch(() => undefined);
    // What is still queued now cannot be written: say so rather than retry into the exit.
    this.closed = true;
    const closeMs = shutdownWaitMs(this.runtime, SHUTDOWN_CLOSE_MS);
    await withTimeout(this.store.close(), closeMs, 'close').catch(() => undefined);
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolveFlush) => setImmediate(resolveFlush))
      .then(() => this.drain())
      .finally(() => {
        this.flushing = undefined;
        if (this.queue.length) this.scheduleFlush();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) await this.write(this.queue.splice(0, MAX_BATCH));
  }

  private async write(batch: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) {
        this.logger.error(`dropped ${batch.length} events still queued at shutdown`);
        for (const pending of batch) pending.stored?.(undefined);
        return;
      }
      try {
        const stamps = await this.store.append(batch.map((pending) => pending.event));
        batch.forEach((pending, index) => pending.stored?.(stamps[index]));
        return;
      } catch (error) {
        if (refusedAsData(error)) {
          // One event the database refuses must not take the others of its batch down with it.
          if (batch.length > 1) {
            for (const pending of batch) await this.write([pending]);
            return;
          }
          this.logger.error(
            `dropped a ${batch[0].event.type} event the database refuses: ${(error as Error).message}`,
          );
          batch[0].stored?.(undefined);
          return;
        }
        if (attempt >= RETRY_DELAYS_MS.length) {
          this.logger.error(
            `dropped ${batch.length} events after ${attempt + 1} attempts: ${(error as Error).message}`,
          );
          for (const pending of batch) pending.stored?.(undefined);
          return;
        }
        await sleep(RETRY_DELAYS_MS[attempt]);
      }
    }
  }
}

/** PostgreSQL's class 22 (data exception): retrying the same data cannot help. */
function refusedAsData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** The cache families a change bumps and the routed events it queues. */
function routed(events: DomainEventTuple[]): { families: CacheFamily[]; pending: Pending[] } {
  return {
    families: events.flatMap(([name]) => cacheFamiliesOf(name)),
    pending: events.flatMap(([name, payload]) =>
      routeDomainEvent(name, payload).map((event): Pending => ({ event })),
    ),
  };
}
