import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { InjectRuntime, Runtime } from '../config/config.module.js';
import { sleep } from '../common/async.js';
import type { EventEnvelope } from './event.entity.js';
import { EVENTS_CHANNEL, EventStore } from './event-store.service.js';

type Listener = (event: EventEnvelope) => void;

/**
 * Follows the event history as it grows, for the sockets of this instance. One
 * LISTEN connection hears each commit (in commit order, which is id order); the
 * events are read back from the table and handed to listeners one by one, in id
 * order, without gaps: after a lost connection it catches up from the last id seen.
 */
@Injectable()
export class EventStream implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStream');
  private readonly listeners: Listener[] = [];
  private waiters: { id: bigint; resolve: () => void }[] = [];
  private client?: pg.Client;
  private lastDelivered = '0';
  private notifiedUpTo = '0';
  private pumping = false;
  private stopped = false;
  private started = false;

  constructor(
    private readonly store: EventStore,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  /** Starts following (API instances only). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.lastDelivered = await this.store.lastId();
    this.notifiedUpTo = this.lastDelivered;
    await this.connect();
  }

  onEvent(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** The id of the newest event handed to listeners. */
  get position(): string {
    return this.lastDelivered;
  }

  /**
   * Resolves once every event up to `id` has been handed to listeners (or after
   * `timeoutMs`, for an id this stream will never reach).
   */
  waitForPosition(id: string, timeoutMs = 5_000): Promise<void> {
    const target = BigInt(id);
    if (BigInt(this.lastDelivered) >= target) return Promise.resolve();
    return new Promise((resolveWait) => {
      const waiter = { id: target, resolve: resolveWait };
      this.waiters.push(waiter);
      setTimeout(() => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters = this.waiters.filter((entry) => entry !== waiter);
        this.logger.warn(
          `live stream at ${this.lastDelivered} did not reach ${id} within ${timeoutMs} ms`,
        );
        resolveWait();
      }, timeoutMs).unref();
      // The commit we wait for may not have been notified yet.
      void this.store.lastId().then((last) => {
        if (BigInt(last) > BigInt(this.notifiedUpTo)) this.notifiedUpTo = last;
        void this.pump();
      });
    });
  }

  private settleWaiters(): void {
    if (!this.waiters.length) return;
    const position = BigInt(this.lastDelivered);
    this.waiters = this.waiters.filter((waiter) => {
      if (waiter.id > position) return true;
      waiter.resolve();
      return false;
    });
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      const client = new pg.Client({
        connectionString: this.runtime.databaseUrl,
        connectionTimeoutMillis: 3_000,
      });
      client.on('error', (error) => this.logger.warn(`listener connection: ${error.message}`));
      try {
        await client.connect();
        client.on('notification', (message) => {
          if (message.payload && BigInt(message.payload) > BigInt(this.notifiedUpTo))
            this.notifiedUpTo = message.payload;
          void this.pump();
        });
        client.once('end', () => {
          if (this.stopped) return;
          this.logger.warn('listener connection lost; reconnecting');
          void this.connect();
        });
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        this.client = client;
        // Catch up with whatever was committed while we were not listening.
        this.notifiedUpTo = await this.store.lastId();
        void this.pump();
        return;
      } catch (error) {
        this.logger.warn(`cannot listen for events yet: ${(error as Error).message}`);
        await client.end().catch(() => undefined);
        await sleep(1_000);
      }
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopped && BigInt(this.notifiedUpTo) > BigInt(this.lastDelivered)) {
        let events: EventEnvelope[];
        try {
          events = await this.store.range(this.lastDelivered, this.notifiedUpTo);
        } catch (error) {
          this.logger.warn(`cannot read new events: ${(error as Error).message}`);
          await sleep(500);
          continue;
        }
        if (!events.length) {
          // Ids consumed by a rolled-back append: nothing to deliver up to the mark.
          this.lastDelivered = this.notifiedUpTo;
          this.settleWaiters();
          break;
        }
        for (const event of events) {
          this.lastDelivered = event.id;
          for (const listener of this.listeners) {
            try {
              listener(event);
            } catch (error) {
              this.logger.error(
                `event listener failed on ${event.type} ${event.id}: ${(error as Error).message}`,
              );
            }
          }
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }
}
