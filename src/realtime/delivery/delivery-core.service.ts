import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { ForbiddenError } from '../../common/errors/app-errors.js';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import { ConnectionLimits } from '../connection-limits.js';
import { EventBus } from '../event-bus.service.js';
import type { EventEnvelope } from '../event.entity.js';
import { EventStore } from '../event-store.service.js';
import { EventStream } from '../event-stream.service.js';
import { RoomMessageLimits } from '../room-message-limits.js';
import { assertRoomAllowed, checkRoom } from '../rooms.js';
import { SocketStats } from '../socket-stats.service.js';
import type { Admission, ReplayTarget, Subscriber } from './subscriber.js';

/** Most events sent on reconnect; beyond it the client is told to refetch. */
export const MAX_RECONNECT_REPLAY = 10_000;

interface ReplayGate {
  buffer: EventEnvelope[];
}

/** What Socket.IO reports to the core: its local connections and a room's members everywhere. */
export interface SocketIoSide {
  connections(): number;
  members(room: string): Promise<number>;
}

export type Refusal = { status: 429 | 503; message: string };

/**
 * The one delivery core behind Socket.IO `/v2`, plain WebSocket `/ws/v2` and SSE: who may
 * connect (connection limits), which rooms a principal may be in, room messages (their
 * limits and publication), replay of the durable history, and the hand-over from replay
 * to live events without duplicates or gaps. Socket.IO keeps its rooms in its adapter;
 * the other transports register here as subscribers and are delivered from the same stream.
 */
@Injectable()
export class DeliveryCore {
  private readonly logger = new Logger('DeliveryCore');
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly gates = new Map<string, ReplayGate>();
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  /** Plain `/ws` feed connections (paced like namespace /, counted here). */
  private feeds = 0;
  private socketIo: SocketIoSide = { connections: () => 0, members: async () => 0 };

  constructor(
    private readonly stream: EventStream,
    private readonly store: EventStore,
    private readonly stats: SocketStats,
    private readonly events: EventBus,
    private readonly connectionLimits: ConnectionLimits,
    private readonly roomMessageLimits: RoomMessageLimits,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.stream.onEvent((event) => this.deliver(event));
  }

  useSocketIo(side: SocketIoSide): void {
    this.socketIo = side;
  }

  /** Connections of this instance on every transport. */
  localConnections(): number {
    return this.socketIo.connections() + this.plainConnections();
  }

  /** Connections of this instance that are not Socket.IO sockets. */
  plainConnections(): number {
    return this.subscribers.size + this.feeds;
  }

  /**
   * Admits a new connection of any transport: under SOCKET_MAX_CONNECTIONS on this
   * instance, and under the 50 live connections of its credential (across instances).
   */
  async admit(connection: Admission, principal: Principal): Promise<Refusal | null> {
    const max = this.config.socketMaxConnections;
    if (max > 0 && this.localConnections() >= max)
      return { status: 503, message: `this instance serves at most ${max} live connections` };
    if (!(await this.connectionLimits.admit(connection, principal)))
      return { status: 429, message: 'too many connections' };
    return null;
  }

  /** Counts a plain `/ws` feed connection while it lives. */
  trackFeed(): () => void {
    this.feeds++;
    this.reportConnections();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.feeds--;
      this.reportConnections();
    };
  }

  reportConnections(): void {
    this.stats.setConnections(this.localConnections());
  }

  /** Throws the room check's refusal (400 unknown room, 403 not allowed). */
  authorizeRoom(principal: Principal, room: string): void {
    assertRoomAllowed(principal, room);
  }

  /** Rooms asked for at connection time: those the principal may join, and the others. */
  splitRooms(principal: Principal, rooms: unknown[]): { allowed: string[]; refused: unknown[] } {
    const allowed = [
      ...new Set(
        rooms.filter(
          (room): room is string => typeof room === 'string' && checkRoom(principal, room).ok,
        ),
      ),
    ];
    return { allowed, refused: rooms.filter((room) => !allowed.includes(room as string)) };
  }

  /** Members of a room on every transport (Socket.IO everywhere, plain ones here). */
  async members(room: string): Promise<number> {
    let plain = 0;
    for (const subscriber of this.subscribers.values()) if (subscriber.rooms.has(room)) plain++;
    return (await this.socketIo.members(room)) + plain;
  }

  /** A client's `room_message`: it must be in the room; size and rate limits; stored and relayed. */
  async sendRoomMessage(
    principal: Principal,
    inRoom: boolean,
    room: string,
    data: unknown,
    connectionId: string,
  ): Promise<{ room: string; event_id: string }> {
    if (!inRoom) throw new ForbiddenError(`Join ${room} before sending to it`);
    await this.roomMessageLimits.check(principal, data);
    const [event] = await this.events.publishAndWait('room.message', {
      room,
      data,
      from: {
        id: principal.id,
        kind: principal.kind,
        name: principal.name,
        socket_id: connectionId,
      },
    });
    return { room, event_id: event.id };
  }

  /** A subscriber starts receiving the events of its rooms; ends with its token, if a JWT. */
  attach(subscriber: Subscriber): void {
    this.subscribers.set(subscriber.id, subscriber);
    this.expireWithToken(subscriber);
    this.reportConnections();
  }

  detach(id: string): void {
    if (!this.subscribers.delete(id)) return;
    clearTimeout(this.expiries.get(id));
    this.expiries.delete(id);
    this.gates.delete(id);
    this.reportConnections();
  }

  /** Ends every plain connection of this instance (shutdown). */
  closeAll(code: number, reason: string): void {
    for (const subscriber of [...this.subscribers.values()]) subscriber.close(code, reason);
  }

  /** Live events of a connection that is being replayed wait here; true when held. */
  holdIfGated(connectionId: string, event: EventEnvelope): boolean {
    const gate = this.gates.get(connectionId);
    if (!gate) return false;
    gate.buffer.push(event);
    return true;
  }

  private deliver(event: EventEnvelope): void {
    if (!this.subscribers.size) return;
    const sender =
      event.type === 'room_message'
        ? ((event.data.from as { socket_id?: string } | undefined)?.socket_id ?? null)
        : null;
    let sent = 0;
    for (const subscriber of this.subscribers.values()) {
      if (subscriber.id === sender || !event.rooms.some((room) => subscriber.rooms.has(room)))
        continue;
      if (this.holdIfGated(subscriber.id, event)) continue;
      try {
        subscriber.deliver(event);
        sent++;
      } catch (error) {
        this.logger.warn(`delivery to ${subscriber.id} failed: ${(error as Error).message}`);
      }
    }
    if (sent) this.stats.countSent(sent);
  }

  /**
   * Joins `rooms` and sends every event of them after `afterId` (at most 10,000),
   * then the live events that arrived meanwhile, without duplicates or gaps.
   */
  async rejoin(
    target: ReplayTarget,
    rooms: string[],
    afterId: string,
  ): Promise<{ count: number; lastId: string }> {
    const gate: ReplayGate = { buffer: [] };
    this.gates.set(target.id, gate);
    try {
      await target.join(rooms);
      const purged = await this.store.purgedThrough();
      const { batches, truncated } = await this.store.missed(rooms, afterId, MAX_RECONNECT_REPLAY);
      let lastId = afterId;
      let count = 0;
      let told = !(truncated || BigInt(afterId) < BigInt(purged));
      for await (const events of batches) {
        if (!told) {
          target.truncated(events[0].id);
          told = true;
        }
        for (const event of events) {
          target.replayed(event);
          lastId = event.id;
        }
        count += events.length;
      }
      if (!told) target.truncated((await this.store.oldestId()) ?? afterId);
      // This instance's live stream may lag behind the table: keep holding live events
      // until it has passed what the client already has, or they would arrive twice.
      await this.stream.waitForPosition(lastId);
      // Live events held back while replaying, minus those the replay carried.
      for (const event of gate.buffer) {
        if (BigInt(event.id) > BigInt(lastId)) {
          target.deliver(event);
          lastId = event.id;
        }
      }
      this.stats.countSent(count + gate.buffer.length);
      return { count, lastId };
    } finally {
      this.gates.delete(target.id);
    }
  }

  /** Explicit replay: history of rooms after an id (or since a time), in order. */
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

  /** The rooms a connection may no longer be in (its principal changed). */
  refusedRooms(principal: Principal, rooms: Iterable<string>, except?: string): string[] {
    return [...rooms].filter((room) => room !== except && !checkRoom(principal, room).ok);
  }

  /**
   * A credential changed: the plain connections it holds end (`which` picks them), or go on
   * with the principal as it is now and only the rooms it may still join.
   */
  principalChanged(
    kind: string,
    id: string,
    change:
      | { end: true; reason: string; which?: (principal: Principal) => boolean }
      | { end: false; update: Partial<Principal> },
  ): void {
    for (const subscriber of [...this.subscribers.values()]) {
      const principal = subscriber.principal;
      if (principal.kind !== kind || principal.id !== id) continue;
      if (change.end) {
        if (change.which && !change.which(principal)) continue;
        subscriber.notice({ event: 'disconnected', reason: change.reason });
        subscriber.close(4401, change.reason);
        continue;
      }
      subscriber.principal = { ...principal, ...change.update };
      const refused = this.refusedRooms(subscriber.principal, subscriber.rooms);
      for (const room of refused) subscriber.rooms.delete(room);
      if (refused.length) subscriber.notice({ event: 'rooms_left', rooms: refused });
    }
  }

  private expireWithToken(subscriber: Subscriber): void {
    const expiresAt = subscriber.principal.expiresAt;
    if (!expiresAt) return;
    const timer = setTimeout(
      () => {
        subscriber.notice({ event: 'token_expired' });
        subscriber.close(4401, 'token expired');
      },
      Math.max(0, Math.min(expiresAt - Date.now(), 2_147_000_000)),
    );
    timer.unref();
    this.expiries.set(subscriber.id, timer);
  }
}
