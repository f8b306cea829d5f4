import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { WebSocket, type RawData } from 'ws';
import type { Principal } from '../../auth/principal.js';
import type { DeliveryCore } from '../delivery/delivery-core.service.js';
import type { FeedRegistry } from '../feed-client.js';
import { MessageBudget } from '../socket-auth.js';
import type { SocketStats } from '../socket-stats.service.js';
import { CLOSE } from './frames.js';

export interface FeedDeps {
  core: DeliveryCore;
  feed: FeedRegistry;
  stats: SocketStats;
  messagesPerSecond: number;
  logger: Logger;
}

/**
 * One `/ws` connection: the basic feed of namespace / (same events, same pacing) as text
 * frames `{type, data, timestamp}`, and the original's v1 replies to `ping` and `subscribe`.
 */
export class WsFeedSession {
  readonly id = randomUUID();
  private readonly budget: MessageBudget;
  private expiry?: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    principal: Principal,
    private readonly deps: FeedDeps,
    release: () => void,
  ) {
    this.budget = new MessageBudget(deps.messagesPerSecond);
    const untrack = deps.core.trackFeed();
    ws.on('message', (raw: RawData, isBinary: boolean) => this.onFrame(raw, isBinary));
    ws.on('error', (error) => deps.logger.warn(`ws ${this.id}: ${error.message}`));
    ws.once('close', () => {
      clearTimeout(this.expiry);
      deps.feed.close(this.id);
      untrack();
      release();
    });
    if (principal.expiresAt) {
      this.expiry = setTimeout(
        () => {
          this.send('system_notification', { event: 'token_expired' });
          ws.close(CLOSE.unauthenticated, 'token expired');
        },
        Math.max(0, Math.min(principal.expiresAt - Date.now(), 2_147_000_000)),
      );
      this.expiry.unref();
    }
    this.send('connection_established', {
      message: 'Connected to SubForge Dashboard',
      timestamp: new Date().toISOString(),
      connection_id: this.id,
    });
    deps.feed.open({ id: this.id, emit: (event, payload) => this.send(event, payload) });
  }

  private send(type: string, data: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN)
      this.ws.send(JSON.stringify({ type, data, timestamp: new Date().toISOString() }));
  }

  private onFrame(raw: RawData, isBinary: boolean): void {
    this.deps.stats.countReceived();
    if (!this.budget.take())
      return this.send('error', { status_code: 429, message: 'Too many messages; slow down' });
    let frame: { type?: unknown; data?: unknown };
    try {
      frame = JSON.parse((raw as Buffer).toString()) as typeof frame;
      if (isBinary || typeof frame !== 'object' || frame === null) throw new Error();
    } catch {
      return this.send('error', { status_code: 400, message: 'A frame is a JSON object {type}' });
    }
    if (frame.type === 'ping') return this.send('pong', { timestamp: new Date().toISOString() });
    if (frame.type === 'subscribe') return this.send('subscription_acknowledged', frame.data ?? {});
    this.send('error', {
      status_code: 400,
      message: `Unknown type ${JSON.stringify(frame.type ?? null)}; /ws answers ping and subscribe`,
    });
  }
}
