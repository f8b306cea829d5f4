import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { WebSocket, type RawData } from 'ws';
import type { CredentialService } from '../../auth/credential.service.js';
import type { Principal } from '../../auth/principal.js';
import { AppError, BadRequestError, ForbiddenError } from '../../common/errors/app-errors.js';
import type { DeliveryCore } from '../delivery/delivery-core.service.js';
import type { Subscriber } from '../delivery/subscriber.js';
import { ReplayMessageDto, RoomMessageDto, RoomPayloadMessageDto } from '../dto/messages.dto.js';
import type { EventEnvelope } from '../event.entity.js';
import { MessageBudget } from '../socket-auth.js';
import type { SocketStats } from '../socket-stats.service.js';
import { ackError, validateMessage } from '../ws-ack.js';
import { AuthFrameDto, parseClientFrame } from './client-frame.js';
import {
  CLOSE,
  eventFrame,
  historyFrame,
  noticeFrame,
  replyFrame,
  WS_V2_CLIENT_TYPES,
  type WsV2ClientType,
} from './frames.js';

/** How long a connection may stay without a credential. */
export const AUTH_TIMEOUT_MS = 10_000;
/** A client that reads this far behind is closed rather than buffered without end. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface SessionDeps {
  core: DeliveryCore;
  credentials: CredentialService;
  stats: SocketStats;
  messagesPerSecond: number;
  logger: Logger;
}

/** What the upgrade request offered: a credential and reconnect state (`?rooms=&last_event_id=`). */
export interface UpgradeOffer {
  token?: string;
  rooms: string[];
  lastEventId?: string;
}

/**
 * One `/ws/v2` connection: JSON frames in and out, with the rooms, permissions, limits,
 * replay and reconnect of namespace /v2, all through the delivery core.
 */
export class WsV2Session implements Subscriber {
  readonly id = randomUUID();
  readonly transport = 'ws/v2' as const;
  readonly rooms = new Set<string>();
  readonly connectedAt = new Date().toISOString();
  principal!: Principal;
  private authenticated = false;
  private authTimer?: NodeJS.Timeout;
  private readonly budget: MessageBudget;
  private readonly closeHooks: (() => void)[] = [];
  /** Frames are handled one at a time, in the order they came. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SessionDeps,
    private readonly offer: UpgradeOffer,
  ) {
    this.budget = new MessageBudget(deps.messagesPerSecond);
    ws.on('message', (raw: RawData, isBinary: boolean) => this.onFrame(raw, isBinary));
    ws.once('close', () => this.onClose());
    ws.on('error', (error) => deps.logger.warn(`ws/v2 ${this.id}: ${error.message}`));
    if (offer.token)
      this.enqueue(async () => void (await this.authenticate(offer.token!, offer, null)));
    else {
      this.authTimer = setTimeout(
        () => this.close(CLOSE.unauthenticated, 'no auth within 10 s'),
        AUTH_TIMEOUT_MS,
      );
      this.authTimer.unref();
    }
  }

  deliver(event: EventEnvelope): void {
    this.send(eventFrame(event, this.rooms));
  }

  replayed(event: EventEnvelope, correlationId: string | null = null): void {
    this.send(historyFrame(event, this.rooms, correlationId));
  }

  truncated(oldestId: string, correlationId: string | null = null): void {
    this.send(noticeFrame('replay_truncated', { oldest_id: oldestId }, correlationId));
  }

  notice(payload: { event: string; [field: string]: unknown }): void {
    this.send(noticeFrame('system_notification', payload));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code, reason);
  }

  private send(frame: object): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE.tryAgainLater, 'client too slow');
      return;
    }
    this.ws.send(JSON.stringify(frame));
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: Error) => {
      this.deps.logger.error(`ws/v2 ${this.id} frame failed: ${error.message}`);
    });
  }

  private onFrame(raw: RawData, isBinary: boolean): void {
    this.deps.stats.countReceived();
    let type: string | null = null;
    let correlationId: string | null = null;
    try {
      const frame = parseClientFrame(raw as Buffer, isBinary);
      ({ type, correlationId } = frame);
      if (!this.budget.take()) throw new AppError(429, 'Too many messages; slow down');
      if (!(WS_V2_CLIENT_TYPES as readonly string[]).includes(frame.type))
        throw new BadRequestError(
          `Unknown type "${frame.type}"; one of ${WS_V2_CLIENT_TYPES.join(', ')}`,
        );
      const frameType = frame.type as WsV2ClientType;
      this.enqueue(async () => {
        try {
          const result = await this.handle(frameType, frame.body, correlationId);
          if (result) this.send(replyFrame(frameType, correlationId, { ok: true, ...result }));
        } catch (error) {
          this.send(replyFrame(frameType, correlationId, ackError(error)));
        }
      });
    } catch (error) {
      correlationId ??= (error as { correlationId?: string }).correlationId ?? null;
      this.send(replyFrame(type, correlationId, ackError(error)));
    }
  }

  /** One client frame; resolves with the ack's fields (null: the handler answered itself). */
  private async handle(
    type: WsV2ClientType,
    body: Record<string, unknown>,
    correlationId: string | null,
  ): Promise<object | null> {
    if (type === 'ping') return { pong: true };
    if (type === 'auth') {
      const { token, rooms, last_event_id } = await validateMessage(AuthFrameDto, body);
      return this.authenticate(
        token,
        { rooms: rooms ?? this.offer.rooms, lastEventId: last_event_id ?? this.offer.lastEventId },
        correlationId,
      );
    }
    if (!this.authenticated)
      throw new AppError(401, 'Authenticate first: {"type":"auth","data":{"token":"..."}}');
    const { core } = this.deps;
    switch (type) {
      case 'join_room': {
        const { room } = await validateMessage(RoomMessageDto, body);
        core.authorizeRoom(this.principal, room);
        this.rooms.add(room);
        return { room, members_count: await core.members(room) };
      }
      case 'leave_room': {
        const { room } = await validateMessage(RoomMessageDto, body);
        this.rooms.delete(room);
        return { room };
      }
      case 'room_message': {
        const { room, data } = await validateMessage(RoomPayloadMessageDto, body);
        return core.sendRoomMessage(this.principal, this.rooms.has(room), room, data, this.id);
      }
      case 'replay': {
        const message = await validateMessage(ReplayMessageDto, body);
        if (message.room) core.authorizeRoom(this.principal, message.room);
        const rooms = message.room ? [message.room] : [...this.rooms];
        if (!rooms.length) return { count: 0, last_id: null };
        const result = await core.replay((event) => this.replayed(event, correlationId), {
          rooms,
          afterId: message.after_id,
          limit: message.limit ?? 1000,
        });
        return { count: result.count, last_id: result.lastId };
      }
    }
  }

  /** Authenticates (or re-authenticates with the same identity), then restores rooms and replays. */
  private async authenticate(
    token: string,
    reconnect: Omit<UpgradeOffer, 'token'>,
    correlationId: string | null,
  ): Promise<object | null> {
    let principal: Principal;
    try {
      principal = await this.deps.credentials.authenticate(token);
    } catch {
      this.send(replyFrame('auth', correlationId, ackError(new AppError(401, 'unauthorized'))));
      this.close(CLOSE.unauthenticated, 'unauthorized');
      return null;
    }
    if (this.authenticated) {
      if (principal.kind !== this.principal.kind || principal.id !== this.principal.id)
        throw new ForbiddenError('auth must use a credential of the same identity');
      this.principal = principal;
      return { connection_id: this.id };
    }
    clearTimeout(this.authTimer);
    const { core } = this.deps;
    const refusal = await core.admit(
      { key: `ws/v2:${this.id}`, onClose: (release) => this.closeHooks.push(release) },
      principal,
    );
    if (refusal) {
      this.send(
        replyFrame('auth', correlationId, ackError(new AppError(refusal.status, refusal.message))),
      );
      this.close(refusal.status === 429 ? CLOSE.rateLimited : CLOSE.tryAgainLater, refusal.message);
      return null;
    }
    if (this.closed) return null;
    this.principal = principal;
    this.authenticated = true;
    core.attach(this);
    if (principal.role === 'agent' && principal.agentId)
      this.rooms.add(`agent:${principal.agentId}`);
    const { allowed, refused } = core.splitRooms(principal, reconnect.rooms);
    this.send(
      noticeFrame(
        'connection_state',
        {
          connection_id: this.id,
          state: 'authenticated',
          principal: { kind: principal.kind, role: principal.role, name: principal.name },
        },
        correlationId,
      ),
    );
    if (refused.length) this.notice({ event: 'rooms_refused', rooms: refused });
    if (reconnect.lastEventId !== undefined && allowed.length) {
      try {
        await core.rejoin(
          {
            id: this.id,
            join: (rooms) => rooms.forEach((room) => this.rooms.add(room)),
            replayed: (event) => this.replayed(event),
            truncated: (oldestId) => this.truncated(oldestId),
            deliver: (event) => this.deliver(event),
          },
          allowed,
          reconnect.lastEventId,
        );
      } catch (error) {
        this.deps.logger.error(`replay on reconnect failed: ${(error as Error).message}`);
        this.truncated(reconnect.lastEventId);
      }
    } else for (const room of allowed) this.rooms.add(room);
    return { connection_id: this.id, rooms: [...this.rooms] };
  }

  private onClose(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    this.deps.core.detach(this.id);
    for (const release of this.closeHooks.splice(0)) release();
  }
}
