import { Injectable, Logger } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type { Principal } from '../auth/principal.js';
import type { EventEnvelope } from './event.entity.js';
import { EventStream } from './event-stream.service.js';
import { DeliveryCore } from './delivery/delivery-core.service.js';
import { SocketStats } from './socket-stats.service.js';

export { MAX_RECONNECT_REPLAY } from './delivery/delivery-core.service.js';

/** What we keep on each socket (serialisable: the Redis adapter ships it to other instances). */
export interface SocketData {
  principal: Principal;
  connectedAt: string;
  instanceId: string;
}

/**
 * Delivers the event history to this instance's Socket.IO sockets, in id order: every
 * event to its rooms on /v2 (namespace / and plain `/ws`, the dashboard's feed, are
 * served by `dashboard/FeedSockets` from the same stream). Replay, and the gate that
 * holds a reconnecting socket's live events until its replay is done, are the delivery
 * core's (shared with /ws/v2 and SSE).
 */
@Injectable()
export class SocketHub {
  private readonly logger = new Logger('SocketHub');
  private v2?: Namespace;
  private basic?: Namespace;

  constructor(
    private readonly stream: EventStream,
    private readonly stats: SocketStats,
    private readonly core: DeliveryCore,
  ) {
    this.stream.onEvent((event) => this.deliver(event));
    this.core.useSocketIo({
      connections: () => (this.v2?.sockets.size ?? 0) + (this.basic?.sockets.size ?? 0),
      members: async (room) => (this.v2 ? (await this.v2.in(room).fetchSockets()).length : 0),
    });
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

  /** Connections of this instance: both namespaces, and the plain WebSocket and SSE ones. */
  localConnections(): number {
    return this.core.localConnections();
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
      for (const socketId of recipients)
        if (this.core.holdIfGated(socketId, event)) held.push(socketId);
      const live = recipients.size - held.length + (sender ? 1 : 0);
      if (live > 0) {
        this.v2.local.to(event.rooms).except(held).emit(event.type, event);
        this.stats.countSent(live);
      }
    }
  }

  /**
   * Joins `rooms` and sends every event of them after `afterId` as `event_history` (at
   * most 10,000), then the live events that arrived meanwhile, without duplicates or gaps.
   */
  rejoin(socket: Socket, rooms: string[], afterId: string) {
    return this.core.rejoin(
      {
        id: socket.id,
        join: (joined) => socket.join(joined),
        replayed: (event) => socket.emit('event_history', event),
        truncated: (oldestId) => socket.emit('replay_truncated', { oldest_id: oldestId }),
        deliver: (event) => socket.emit(event.type, event),
      },
      rooms,
      afterId,
    );
  }

  /** Explicit replay: history of rooms after an id (or since a time), as `event_history`. */
  replay(
    emit: (event: EventEnvelope) => void,
    filter: { rooms: string[]; afterId?: string; since?: Date; limit: number },
  ) {
    return this.core.replay(emit, filter);
  }

  /**
   * After any change of a socket's principal (reauth, a changed user): leaves the rooms
   * it may no longer join and tells the client which. Returns them.
   */
  async leaveRefusedRooms(socket: Socket): Promise<string[]> {
    const principal = (socket.data as SocketData).principal;
    const refused = this.core.refusedRooms(principal, socket.rooms, socket.id);
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
