import { Injectable } from '@nestjs/common';
import type { Namespace, RemoteSocket } from 'socket.io';
import type { Principal } from '../auth/principal.js';
import {
  AppError,
  BadRequestError,
  NotFoundError,
  ServiceUnavailableError,
} from '../common/errors/app-errors.js';
import type { BroadcastDto, EventHistoryQuery, ReplayEventsDto } from './dto/management.dto.js';
import { EventBus } from './event-bus.service.js';
import { EventStore } from './event-store.service.js';
import { checkRoom } from './rooms.js';
import { SocketData, SocketHub } from './socket-hub.service.js';
import { SocketStats } from './socket-stats.service.js';

type Remote = RemoteSocket<Record<string, never>, SocketData>;

function describe(socket: Remote, namespace: string) {
  return {
    id: socket.id,
    namespace,
    principal: socket.data?.principal
      ? {
          kind: socket.data.principal.kind,
          id: socket.data.principal.id,
          role: socket.data.principal.role,
          name: socket.data.principal.name,
        }
      : null,
    authenticated: !!socket.data?.principal && socket.data.principal.kind !== 'anonymous',
    rooms: [...socket.rooms].filter((room) => room !== socket.id),
    connected_at: socket.data?.connectedAt ?? null,
    instance_id: socket.data?.instanceId ?? null,
  };
}

/** The management side of Socket.IO, across every instance (through the Redis adapter). */
@Injectable()
export class RealtimeService {
  constructor(
    private readonly hub: SocketHub,
    private readonly store: EventStore,
    private readonly events: EventBus,
    private readonly stats: SocketStats,
  ) {}

  private namespace(): Namespace {
    const { v2 } = this.hub.namespaces;
    if (!v2) throw new ServiceUnavailableError('Socket.IO is not running in this process');
    return v2;
  }

  private async fetch(namespace: Namespace, target?: string): Promise<Remote[]> {
    try {
      return await (target ? namespace.in(target) : namespace).fetchSockets();
    } catch (error) {
      throw new ServiceUnavailableError(
        `Could not reach every instance: ${(error as Error).message}`,
      );
    }
  }

  async connections() {
    const { basic } = this.hub.namespaces;
    const [v2Sockets, basicSockets] = await Promise.all([
      this.fetch(this.namespace()),
      basic ? this.fetch(basic) : [],
    ]);
    const connections = [
      ...v2Sockets.map((socket) => describe(socket, '/v2')),
      ...basicSockets.map((socket) => describe(socket, '/')),
    ];
    return { connections, total: connections.length };
  }

  async connection(id: string) {
    const [socket] = await this.fetch(this.namespace(), id);
    if (!socket) throw new NotFoundError('Connection', id);
    return describe(socket, '/v2');
  }

  async disconnect(id: string): Promise<void> {
    const sockets = await this.fetch(this.namespace(), id);
    if (!sockets.length) throw new NotFoundError('Connection', id);
    this.namespace().in(id).disconnectSockets(true);
  }

  async rooms(): Promise<{ name: string; members_count: number }[]> {
    const counts = new Map<string, number>();
    for (const socket of await this.fetch(this.namespace())) {
      for (const room of socket.rooms)
        if (room !== socket.id) counts.set(room, (counts.get(room) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, members_count]) => ({ name, members_count }));
  }

  async room(name: string) {
    const members = await this.fetch(this.namespace(), name);
    if (!members.length || members.every((socket) => socket.id === name))
      throw new NotFoundError('Room', name);
    return {
      name,
      members_count: members.length,
      members: members.map((socket) => describe(socket, '/v2')),
    };
  }

  async broadcast(dto: BroadcastDto, sender: Principal) {
    const room = dto.room ?? (dto.message_type === 'room_message' ? undefined : 'system');
    if (!room)
      throw new BadRequestError('room is required for room_message', [
        { field: 'room', message: 'required for room_message' },
      ]);
    const check = checkRoom(sender, room);
    if (!check.ok)
      throw new AppError(
        check.status === 403 && sender.role === 'admin' ? 400 : check.status,
        check.reason,
      );
    const recipients = await this.fetch(this.namespace(), room);
    const [event] =
      dto.message_type === 'room_message'
        ? await this.events.publishAndWait('room.message', {
            room,
            data: dto.data,
            from: { id: sender.id, kind: sender.kind, name: sender.name },
          })
        : await this.events.publishAndWait('system.notification', { room, data: dto.data });
    return { recipients_count: recipients.length, event_id: event.id, timestamp: event.timestamp };
  }

  async join(room: string, connectionId: string) {
    await this.requireConnection(connectionId);
    this.assertRoomName(room);
    this.namespace().in(connectionId).socketsJoin(room);
    return { room, connection_id: connectionId, joined: true };
  }

  async leave(room: string, connectionId: string) {
    await this.requireConnection(connectionId);
    this.namespace().in(connectionId).socketsLeave(room);
    return { room, connection_id: connectionId, left: true };
  }

  async history(query: EventHistoryQuery) {
    const types = query.event_types
      ?.split(',')
      .map((type) => type.trim())
      .filter(Boolean);
    const { events, total } = await this.store.find({
      rooms: query.room ? [query.room] : undefined,
      types,
      afterId: query.after_id,
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
      newestWhenUnbounded: true,
    });
    return {
      events,
      total_count: total,
      filters: {
        room: query.room ?? null,
        event_types: types ?? null,
        after_id: query.after_id ?? null,
        since: query.since ?? null,
        limit: query.limit,
      },
    };
  }

  async replayTo(connectionId: string, dto: ReplayEventsDto) {
    const [socket] = await this.fetch(this.namespace(), connectionId);
    if (!socket) throw new NotFoundError('Connection', connectionId);
    const rooms = dto.room ? [dto.room] : [...socket.rooms].filter((room) => room !== socket.id);
    if (!rooms.length) return { replayed_count: 0 };
    const target = this.namespace().to(connectionId);
    const { count } = await this.hub.replay((event) => target.emit('event_history', event), {
      rooms,
      afterId: dto.after_id,
      since: dto.since ? new Date(dto.since) : undefined,
      limit: dto.limit ?? 100,
    });
    return { replayed_count: count };
  }

  async statistics() {
    const { basic } = this.hub.namespaces;
    const [v2Sockets, basicSockets, messages, peak, instances, historySize] = await Promise.all([
      this.fetch(this.namespace()),
      basic ? this.fetch(basic) : Promise.resolve([] as Remote[]),
      this.stats.messageCounts(),
      this.stats.peak(),
      this.stats.instances(),
      this.store.count(),
    ]);
    const all = [...v2Sockets, ...basicSockets];
    const rooms = new Map<string, number>();
    for (const socket of v2Sockets)
      for (const room of socket.rooms)
        if (room !== socket.id) rooms.set(room, (rooms.get(room) ?? 0) + 1);
    return {
      total_connections: all.length,
      authenticated_connections: all.filter(
        (socket) => socket.data?.principal && socket.data.principal.kind !== 'anonymous',
      ).length,
      total_rooms: rooms.size,
      rooms: [...rooms.entries()].map(([name, members_count]) => ({ name, members_count })),
      event_history_size: historySize,
      messages,
      peak_connections: Math.max(peak, all.length),
      uptime_seconds: Math.round(process.uptime()),
      instances: instances.length,
    };
  }

  private async requireConnection(id: string): Promise<void> {
    const sockets = await this.fetch(this.namespace(), id);
    if (!sockets.length) throw new NotFoundError('Connection', id);
  }

  private assertRoomName(room: string): void {
    // Admins may place a socket in any valid room; the name must still be one of the contract's.
    const check = checkRoom(
      {
        kind: 'api_key',
        id: 'admin',
        role: 'admin',
        agentId: null,
        userId: null,
        name: 'admin',
        expiresAt: null,
      },
      room,
    );
    if (!check.ok && check.status === 400)
      throw new BadRequestError(check.reason, [{ field: 'name', message: check.reason }]);
  }
}
