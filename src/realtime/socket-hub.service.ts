import { Injectable, Logger } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type { Principal } from '../auth/principal.js';
import { type DashboardOverview, type FeedEvent, toFeedEvents } from './dashboard-feed.js';
import type { EventEnvelope } from './event.entity.js';
import { EventStore } from './event-store.service.js';
import { EventStream } from './event-stream.service.js';
import { FeedPacer } from './feed-pacer.js';
import { SocketStats } from './socket-stats.service.js';

/** Most events sent on reconnect; beyond it the client is told to refetch. */
export const MAX_RECONNECT_REPLAY = 10_000;

/** What we keep on each socket (serialisable: the Redis adapter ships it to other instances). */
export interface SocketData {
  principal: Principal;
  connectedAt: string;
  instanceId: string;
}

interface ReplayGate {
  rooms: Set<string>;
  buffer: EventEnvelope[];
}

/**
 * Delivers the event history to this instance's sockets, in id order: every event
 * to its rooms on /v2 and, mapped, to everyone on / (paced per socket: FeedPacer). A socket that reconnects is
 * gated while it is replayed: live events meant for it wait in a buffer and are
 * sent after the replay, skipping what the replay already carried.
 */
@Injectable()
export class SocketHub {
  private readonly logger = new Logger('SocketHub');
  private v2?: Namespace;
  private basic?: Namespace;
  private readonly gates = new Map<string, ReplayGate>();
  /** Namespace /: each socket's paced queue. */
  private readonly feeds = new Map<string, FeedPacer>();
  private fullOverview?: () => Promise<DashboardOverview>;

  constructor(
    private readonly stream: EventStream,
    private readonly store: EventStore,
    private readonly stats: SocketStats,
  ) {
    this.stream.onEvent((event) => this.deliver(event));
  }

  attachV2(namespace: Namespace): void {
    this.v2 = namespace;
  }

  attachBasic(namespace: Namespace): void {
    this.basic = namespace;
  }

  get namespaces(): { v2?: Namespace; basic?: Namespace } {
    return { v2: this.v2, basic: this.basic };
  }

  /** What a socket of namespace / gets after its queue overflowed. */
  setFullOverview(provider: () => Promise<DashboardOverview>): void {
    this.fullOverview = provider;
  }

  /** A socket joined namespace /: from now on it is sent the feed, paced. */
  openFeed(socket: Socket): void {
    const pacer: FeedPacer = new FeedPacer({
      send: (event, payload) => {
        socket.emit(event, payload);
        this.stats.countSent(1);
      },
      onOverflow: () => {
        this.logger.warn(
          `namespace / socket ${socket.id} fell behind; its queue is replaced by a full dashboard_update`,
        );
        this.fullOverview?.().then(
          (payload) => pacer.push({ event: 'dashboard_update', key: 'dashboard_update', payload }),
          (error: Error) => this.logger.warn(`full dashboard_update failed: ${error.message}`),
        );
      },
    });
    this.feeds.set(socket.id, pacer);
  }

  closeFeed(socketId: string): void {
    this.feeds.get(socketId)?.close();
    this.feeds.delete(socketId);
  }

  /** Queues an event for every socket of namespace / on this instance. */
  sendFeed(item: FeedEvent): void {
    for (const pacer of this.feeds.values()) pacer.push(item);
  }

  /** Sockets of namespace / on this instance. */
  feedConnections(): number {
    return this.feeds.size;
  }

  /** Sockets of this instance on both namespaces. */
  localConnections(): number {
    return (this.v2?.sockets.size ?? 0) + (this.basic?.sockets.size ?? 0);
  }

  private deliver(event: EventEnvelope): void {
    if (this.v2) {
      const recipients = new Set<string>();
      for (const room of event.rooms)
        for (const id of this.v2.adapter.rooms.get(room) ?? []) recipients.add(id);
      // A room message goes to the other members, not back to its sender.
      const sender =
        event.type === 'room_message'
          ? ((event.data.from as { socket_id?: string } | undefined)?.socket_id ?? null)
          : null;
      if (sender) recipients.delete(sender);
      const held: string[] = sender ? [sender] : [];
      for (const [socketId, gate] of this.gates) {
        if (recipients.has(socketId)) {
          gate.buffer.push(event);
          held.push(socketId);
        }
      }
      const live = recipients.size - held.length + (sender ? 1 : 0);
      if (live > 0) {
        this.v2.local.to(event.rooms).except(held).emit(event.type, event);
        this.stats.countSent(live);
      }
    }
    if (this.feeds.size) for (const item of toFeedEvents(event)) this.sendFeed(item);
  }

  /**
   * Joins `rooms` and sends every event of them after `afterId` (at most 10,000),
   * then the live events that arrived meanwhile, without duplicates or gaps.
   */
  async rejoin(
    socket: Socket,
    rooms: string[],
    afterId: string,
  ): Promise<{ count: number; lastId: string }> {
    const gate: ReplayGate = { rooms: new Set(rooms), buffer: [] };
    this.gates.set(socket.id, gate);
    try {
      await socket.join(rooms);
      const purged = await this.store.purgedThrough();
      const { events, truncated } = await this.store.missed(rooms, afterId, MAX_RECONNECT_REPLAY);
      if (truncated || BigInt(afterId) < BigInt(purged)) {
        const oldest = events[0]?.id ?? (await this.store.oldestId()) ?? afterId;
        socket.emit('replay_truncated', { oldest_id: oldest });
      }
      let lastId = afterId;
      for (const event of events) {
        socket.emit('event_history', event);
        lastId = event.id;
      }
      // This instance's live stream may lag behind the table: keep holding live events
      // until it has passed what the client already has, or they would arrive twice.
      await this.stream.waitForPosition(lastId);
      // Live events held back while replaying, minus those the replay carried.
      for (const event of gate.buffer) {
        if (BigInt(event.id) > BigInt(lastId)) {
          socket.emit(event.type, event);
          lastId = event.id;
        }
      }
      this.stats.countSent(events.length + gate.buffer.length);
      return { count: events.length, lastId };
    } finally {
      this.gates.delete(socket.id);
    }
  }

  /** Explicit replay: history of rooms after an id (or since a time), as `event_history`. */
  async replay(
    emit: (event: EventEnvelope) => void,
    filter: { rooms: string[]; afterId?: string; since?: Date; limit: number },
  ): Promise<{ count: number; lastId: string | null }> {
    const { events } = await this.store.find({
      rooms: filter.rooms,
      afterId: filter.afterId,
      since: filter.since,
      limit: filter.limit,
    });
    for (const event of events) emit(event);
    this.stats.countSent(events.length);
    return { count: events.length, lastId: events.length ? events[events.length - 1].id : null };
  }

  /** Disconnects this instance's sockets held by a principal. */
  disconnectPrincipal(kind: string, id: string, reason: string): number {
    let count = 0;
    for (const namespace of [this.v2, this.basic]) {
      for (const socket of namespace?.sockets.values() ?? []) {
        const principal = (socket.data as SocketData | undefined)?.principal;
        if (principal?.kind === kind && principal.id === id) {
          socket.emit('system_notification', { event: 'disconnected', reason });
          socket.disconnect(true);
          count++;
        }
      }
    }
    if (count) this.logger.log(`disconnected ${count} socket(s): ${reason}`);
    return count;
  }
}
