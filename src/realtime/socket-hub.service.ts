import { Injectable, Logger } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type { Principal } from '../auth/principal.js';
import type { EventEnvelope } from './event.entity.js';
import { EventStore } from './event-store.service.js';
import { EventStream } from './event-stream.service.js';
import { checkRoom } from './rooms.js';
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
 * to its rooms on /v2 (namespace /, the dashboard's feed, is served by
 * `dashboard/FeedSockets` from the same stream). A socket that reconnects is
 * gated while it is replayed: live events meant for it wait in a buffer and are
 * sent after the replay, skipping what the replay already carried.
 */
@Injectable()
export class SocketHub {
  private readonly logger = new Logger('SocketHub');
  private v2?: Namespace;
  private basic?: Namespace;
  private readonly gates = new Map<string, ReplayGate>();

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
      const { batches, truncated } = await this.store.missed(rooms, afterId, MAX_RECONNECT_REPLAY);
      let lastId = afterId;
      let count = 0;
      let told = !(truncated || BigInt(afterId) < BigInt(purged));
      for await (const events of batches) {
        if (!told) {
          socket.emit('replay_truncated', { oldest_id: events[0].id });
          told = true;
        }
        for (const event of events) {
          socket.emit('event_history', event);
          lastId = event.id;
        }
        count += events.length;
      }
      if (!told)
        socket.emit('replay_truncated', { oldest_id: (await this.store.oldestId()) ?? afterId });
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
      this.stats.countSent(count + gate.buffer.length);
      return { count, lastId };
    } finally {
      this.gates.delete(socket.id);
    }
  }

  /** Explicit replay: history of rooms after an id (or since a time), as `event_history`. */
  async replay(
    emit: (event: EventEnvelope) => void,
    filter: { rooms: string[]; afterId?: string; since?: Date; limit: number },
  ): Promise<{ count: number; lastId: string | null }> {
    const condition = ['rooms && $1::text[]'];
    const params: unknown[] = [filter.rooms];
    if (filter.since) {
      params.push(filter.since);
      condition.push(`created_at >= $${params.length}`);
    }
    let count = 0;
    let lastId: string | null = null;
    // One batch (≤ 1,000 rows or 4 MiB) in memory at a time.
    for await (const events of this.store.batches(
      condition.join(' AND '),
      params,
      filter.afterId ?? '0',
      filter.limit,
    )) {
      for (const event of events) emit(event);
      count += events.length;
      lastId = events[events.length - 1].id;
    }
    this.stats.countSent(count);
    return { count, lastId };
  }

  /**
   * After any change of a socket's principal (reauth, a changed user): leaves the rooms
   * it may no longer join and tells the client which. Returns them.
   */
  async leaveRefusedRooms(socket: Socket): Promise<string[]> {
    const principal = (socket.data as SocketData).principal;
    const refused = [...socket.rooms].filter(
      (room) => room !== socket.id && !checkRoom(principal, room).ok,
    );
    for (const room of refused) await socket.leave(room);
    if (refused.length) socket.emit('system_notification', { event: 'rooms_left', rooms: refused });
    return refused;
  }

  /** This instance's sockets of a principal, on both namespaces. */
  socketsOf(kind: string, id: string): Socket[] {
    const found: Socket[] = [];
    for (const namespace of [this.v2, this.basic])
      for (const socket of namespace?.sockets.values() ?? []) {
        const principal = (socket.data as SocketData | undefined)?.principal;
        if (principal?.kind === kind && principal.id === id) found.push(socket);
      }
    return found;
  }

  /** Disconnects this instance's sockets held by a principal (those `which` picks). */
  disconnectPrincipal(
    kind: string,
    id: string,
    reason: string,
    which: (principal: Principal) => boolean = () => true,
  ): number {
    let count = 0;
    for (const namespace of [this.v2, this.basic]) {
      for (const socket of namespace?.sockets.values() ?? []) {
        const principal = (socket.data as SocketData | undefined)?.principal;
        if (principal?.kind === kind && principal.id === id && which(principal)) {
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
