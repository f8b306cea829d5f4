import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { Principal } from '../../auth/principal.js';
import type { Subscriber } from '../delivery/subscriber.js';
import type { EventEnvelope } from '../event.entity.js';

/** CONTRACT §4: a comment every 15 s keeps proxies from closing an idle stream. */
export const SSE_HEARTBEAT_MS = 15_000;
/** A client that reads this far behind is cut (its EventSource resumes from Last-Event-ID). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** What a browser EventSource waits before it reconnects. */
const RETRY_MS = 2_000;

/**
 * One `GET /api/v2/events/stream`: every event of its rooms as `id:` (the event id),
 * `event:` (the /v2 event name) and `data:` (the envelope). Replayed events come the same
 * way, so that a reconnecting EventSource's Last-Event-ID always names the last one it had.
 */
export class SseSubscriber implements Subscriber {
  readonly id = randomUUID();
  readonly transport = 'sse' as const;
  readonly rooms = new Set<string>();
  readonly connectedAt = new Date().toISOString();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: Response,
    public principal: Principal,
  ) {
    res.status(200);
    res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.write(`retry: ${RETRY_MS}\n: connected ${this.id}\n\n`);
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), SSE_HEARTBEAT_MS);
    this.heartbeat.unref();
    res.once('close', () => clearInterval(this.heartbeat));
  }

  deliver(event: EventEnvelope): void {
    this.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  replayed(event: EventEnvelope): void {
    this.deliver(event);
  }

  truncated(oldestId: string): void {
    this.write(`event: replay_truncated\ndata: ${JSON.stringify({ oldest_id: oldestId })}\n\n`);
  }

  notice(payload: { event: string; [field: string]: unknown }): void {
    this.write(`event: system_notification\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }

  private write(chunk: string): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
      return;
    }
    this.res.write(chunk);
  }
}
