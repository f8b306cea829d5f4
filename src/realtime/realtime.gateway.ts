import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { CredentialService } from '../auth/credential.service.js';
import type { Principal } from '../auth/principal.js';
import { ForbiddenError } from '../common/errors/app-errors.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, Runtime } from '../config/config.module.js';
import {
  ReauthMessageDto,
  ReplayMessageDto,
  RoomMessageDto,
  RoomPayloadMessageDto,
} from './dto/messages.dto.js';
import { checkRoom } from './rooms.js';
import { admitHandshakes, expireWithToken, guardMessages } from './socket-auth.js';
import { DeliveryCore } from './delivery/delivery-core.service.js';
import { SocketData, SocketHub } from './socket-hub.service.js';
import { SocketStats } from './socket-stats.service.js';
import { acknowledge, validateMessage } from './ws-ack.js';

interface ReconnectAuth {
  rooms?: unknown;
  last_event_id?: unknown;
}

/**
 * Namespace /v2: authenticated at the handshake, rooms with authorisation, replay
 * and reconnect without loss. Feature modules add their own message handlers on
 * this namespace (agents' heartbeats, task reports).
 */
@WebSocketGateway({ namespace: '/v2' })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('RealtimeGateway');

  constructor(
    private readonly credentials: CredentialService,
    private readonly hub: SocketHub,
    private readonly stats: SocketStats,
    private readonly core: DeliveryCore,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  afterInit(namespace: Namespace): void {
    this.hub.attachV2(namespace);
    admitHandshakes(namespace, {
      authenticate: (token) => this.credentials.authenticate(token),
      admit: (connection, principal) => this.core.admit(connection, principal),
      instanceId: this.runtime.instanceId,
    });
    this.credentials.onInvalidation(
      (invalidation) => void this.onInvalidation(invalidation.kind, invalidation.id),
    );
  }

  async handleConnection(socket: Socket): Promise<void> {
    const { principal } = socket.data as SocketData;
    guardMessages(socket, this.config.socketMessagesPerSecond, () => this.stats.countReceived());
    expireWithToken(socket, principal.expiresAt);
    this.stats.setConnections(this.hub.localConnections());
    if (principal.role === 'agent' && principal.agentId)
      await socket.join(`agent:${principal.agentId}`);

    const auth = (socket.handshake.auth ?? {}) as ReconnectAuth;
    const { allowed, refused } = this.core.splitRooms(
      principal,
      Array.isArray(auth.rooms) ? auth.rooms : [],
    );
    if (refused.length)
      socket.emit('system_notification', { event: 'rooms_refused', rooms: refused });
    const lastEventId =
      typeof auth.last_event_id === 'string' || typeof auth.last_event_id === 'number'
        ? String(auth.last_event_id)
        : undefined;
    if (lastEventId !== undefined && /^\d{1,19}$/.test(lastEventId) && allowed.length) {
      try {
        await this.hub.rejoin(socket, allowed, lastEventId);
      } catch (error) {
        this.logger.error(`replay on reconnect failed: ${(error as Error).message}`);
        socket.emit('replay_truncated', { oldest_id: lastEventId });
      }
    } else if (allowed.length) {
      await socket.join(allowed);
    }
  }

  handleDisconnect(): void {
    this.stats.setConnections(this.hub.localConnections());
  }

  @SubscribeMessage('join_room')
  async joinRoom(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const { room } = await validateMessage(RoomMessageDto, body);
      this.authorizeRoom(socket, room);
      await socket.join(room);
      return { room, members_count: await this.core.members(room) };
    });
  }

  @SubscribeMessage('leave_room')
  async leaveRoom(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const { room } = await validateMessage(RoomMessageDto, body);
      await socket.leave(room);
      return { room };
    });
  }

  @SubscribeMessage('room_message')
  async roomMessage(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const { room, data } = await validateMessage(RoomPayloadMessageDto, body);
      const principal = (socket.data as SocketData).principal;
      return this.core.sendRoomMessage(principal, socket.rooms.has(room), room, data, socket.id);
    });
  }

  @SubscribeMessage('replay')
  async replay(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const message = await validateMessage(ReplayMessageDto, body);
      const principal = (socket.data as SocketData).principal;
      let rooms: string[];
      if (message.room) {
        this.authorizeRoom(socket, message.room);
        rooms = [message.room];
      } else {
        rooms = [...socket.rooms].filter((room) => room !== socket.id);
      }
      if (!rooms.length) return { count: 0, last_id: null };
      const result = await this.core.replay((event) => socket.emit('event_history', event), {
        rooms: rooms.filter((room) => checkRoom(principal, room).ok),
        afterId: message.after_id,
        limit: message.limit ?? 1000,
      });
      return { count: result.count, last_id: result.lastId };
    });
  }

  @SubscribeMessage('ping')
  ping() {
    return { pong: true, timestamp: new Date().toISOString() };
  }

  @SubscribeMessage('reauth')
  async reauth(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const { token } = await validateMessage(ReauthMessageDto, body);
      const current = (socket.data as SocketData).principal;
      const fresh = await this.credentials.authenticate(token);
      if (fresh.kind !== current.kind || fresh.id !== current.id)
        throw new ForbiddenError('reauth must use a credential of the same identity');
      (socket.data as SocketData).principal = fresh;
      expireWithToken(socket, fresh.expiresAt);
      const left = await this.hub.leaveRefusedRooms(socket);
      return {
        expires_at: fresh.expiresAt ? new Date(fresh.expiresAt).toISOString() : null,
        ...(left.length ? { rooms_left: left } : {}),
      };
    });
  }

  private authorizeRoom(socket: Socket, room: string): void {
    this.core.authorizeRoom((socket.data as SocketData).principal, room);
  }

  private async onInvalidation(kind: Principal['kind'], id: string): Promise<void> {
    if (kind === 'api_key') {
      this.hub.disconnectPrincipal('api_key', id, 'credential revoked');
      this.core.principalChanged('api_key', id, { end: true, reason: 'credential revoked' });
      return;
    }
    const user = await this.credentials.findUser(id).catch(() => null);
    if (!user || !user.isActive) {
      this.hub.disconnectPrincipal('user', id, 'account deactivated');
      this.core.principalChanged('user', id, { end: true, reason: 'account deactivated' });
      return;
    }
    // A raised session version (sign-out everywhere, new password or role) ends the
    // sessions that signed in before it.
    const ended = (principal: Principal) => principal.session?.version !== user.sessionVersion;
    this.hub.disconnectPrincipal('user', id, 'session ended', ended);
    this.core.principalChanged('user', id, { end: true, reason: 'session ended', which: ended });
    this.core.principalChanged('user', id, {
      end: false,
      update: { role: user.role, name: user.displayName },
    });
    // The sessions that go on carry the user as it is now, and keep only the rooms it may join.
    for (const socket of this.hub.socketsOf('user', id)) {
      const data = socket.data as SocketData;
      data.principal = { ...data.principal, role: user.role, name: user.displayName };
      await this.hub.leaveRefusedRooms(socket);
    }
  }
}
