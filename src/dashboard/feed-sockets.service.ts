import { Injectable, Logger } from '@nestjs/common';
import { EventStream } from '../realtime/event-stream.service.js';
import type { FeedClient, FeedRegistry } from '../realtime/feed-client.js';
import { PlainWsServer } from '../realtime/plain-ws/plain-ws.server.js';
import { SocketStats } from '../realtime/socket-stats.service.js';
import { type DashboardOverview, type FeedEvent, toFeedEvents } from './dashboard-feed.js';
import { FeedPacer } from './feed-pacer.js';

/**
 * Namespace / and plain `/ws` on this instance: every event of the history, mapped to the dashboard's
 * feed (`toFeedEvents`), is queued on each socket and sent paced (FeedPacer). It follows
 * the same stream, in the same id order, as the /v2 delivery (SocketHub).
 */
@Injectable()
export class FeedSockets implements FeedRegistry {
  private readonly logger = new Logger('FeedSockets');
  /** Each socket's paced queue. */
  private readonly feeds = new Map<string, FeedPacer>();
  private fullOverview?: () => Promise<DashboardOverview>;

  constructor(
    stream: EventStream,
    private readonly stats: SocketStats,
    plainWs: PlainWsServer,
  ) {
    plainWs.useFeed(this);
    stream.onEvent((event) => {
      if (this.feeds.size) for (const item of toFeedEvents(event)) this.send(item);
    });
  }

  /** What a socket gets after its queue overflowed. */
  setFullOverview(provider: () => Promise<DashboardOverview>): void {
    this.fullOverview = provider;
  }

  /** A socket joined namespace / (or a `/ws` connection opened): from now on it is sent the feed, paced. */
  open(socket: FeedClient): void {
    const pacer: FeedPacer = new FeedPacer({
      send: (event, payload) => {
        socket.emit(event, payload);
        this.stats.countSent(1);
      },
      onOverflow: () => {
        this.logger.warn(
          `feed client ${socket.id} fell behind; its queue is replaced by a full dashboard_update`,
        );
        this.fullOverview?.().then(
          (payload) => pacer.push({ event: 'dashboard_update', key: 'dashboard_update', payload }),
          (error: Error) => this.logger.warn(`full dashboard_update failed: ${error.message}`),
        );
      },
    });
    this.feeds.set(socket.id, pacer);
  }

  close(socketId: string): void {
    this.feeds.get(socketId)?.close();
    this.feeds.delete(socketId);
  }

  /** Queues an event for every socket of namespace / on this instance. */
  send(item: FeedEvent): void {
    for (const pacer of this.feeds.values()) pacer.push(item);
  }

  /** Sockets of namespace / on this instance. */
  connections(): number {
    return this.feeds.size;
  }
}
