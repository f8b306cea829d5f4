import { randomUUID } from 'node:crypto';
import { Controller, Get, Headers, Logger, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AcceptsQueryToken, Auth, CurrentPrincipal } from '../../auth/auth.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { AppError, BadRequestError } from '../../common/errors/app-errors.js';
import { ApiErrors, ApiOkMedia } from '../../common/http/api-responses.js';
import { DeliveryCore } from '../delivery/delivery-core.service.js';
import { EventStreamQuery } from './event-stream.dto.js';
import { SSE_HEARTBEAT_MS, SseSubscriber } from './sse.subscriber.js';

const EVENT_ID = /^\d{1,19}$/;

@ApiTags('websocket')
@Controller({ path: 'events', version: '2' })
export class EventStreamController {
  private readonly logger = new Logger('EventStream');

  constructor(private readonly core: DeliveryCore) {}

  @Get('stream')
  @Auth('viewer', { agent: 'read' })
  @AcceptsQueryToken()
  @ApiOperation({
    summary: 'Follow rooms as Server-Sent Events',
    description:
      'The events of the rooms (those of Socket.IO namespace /v2, with the same permissions) as ' +
      '`text/event-stream`: `id:` is the event id, `event:` the /v2 event name (agent_update, ' +
      'task_update, ...), `data:` the envelope {id, type, rooms, data, timestamp}. A reconnecting ' +
      'EventSource sends Last-Event-ID and first receives every event it missed, in order, without ' +
      `duplicates (at most 10,000; beyond, \`event: replay_truncated\`). A comment every ${SSE_HEARTBEAT_MS / 1000} s ` +
      'keeps the stream open. Clients that cannot send headers pass `?token=`.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this event id (sent by a reconnecting EventSource)',
  })
  @ApiOkMedia(
    'text/event-stream',
    'The stream: `id: 42\\nevent: task_update\\ndata: {"id":"42","type":"task_update",...}`',
  )
  @ApiErrors(400, 403, 429, 503)
  async stream(
    @Query() query: EventStreamQuery,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const rooms = [
      ...new Set(
        query.rooms
          .split(',')
          .map((room) => room.trim())
          .filter(Boolean),
      ),
    ];
    if (!rooms.length)
      throw new BadRequestError('rooms must name at least one room', [
        { field: 'rooms', message: 'a comma list of rooms' },
      ]);
    for (const room of rooms) this.core.authorizeRoom(principal, room);
    const lastEventId = lastEventIdHeader?.trim() || query.last_event_id;
    if (lastEventId !== undefined && !EVENT_ID.test(lastEventId))
      throw new BadRequestError('Last-Event-ID must be an event id (digits)', [
        { field: 'Last-Event-ID', message: 'an event id (digits)' },
      ]);

    const releases: (() => void)[] = [];
    const release = () => releases.splice(0).forEach((done) => done());
    const admission = {
      key: `sse:${randomUUID()}`,
      onClose: (done: () => void) => releases.push(done),
    };
    const refusal = await this.core.admit(admission, principal);
    if (refusal) throw new AppError(refusal.status, refusal.message);
    // The client may have gone while it was admitted. (Not `req.destroyed`: a request
    // whose body was read to its end is destroyed too, and would never be answered.)
    if (res.destroyed || !res.socket || res.socket.destroyed) return release();

    const subscriber = new SseSubscriber(res, principal);
    res.once('close', () => {
      this.core.detach(subscriber.id);
      release();
    });
    this.core.attach(subscriber);
    if (lastEventId === undefined) {
      for (const room of rooms) subscriber.rooms.add(room);
      return;
    }
    try {
      await this.core.rejoin(
        {
          id: subscriber.id,
          join: (joined) => joined.forEach((room) => subscriber.rooms.add(room)),
          replayed: (event) => subscriber.replayed(event),
          truncated: (oldestId) => subscriber.truncated(oldestId),
          deliver: (event) => subscriber.deliver(event),
        },
        rooms,
        lastEventId,
      );
    } catch (error) {
      this.logger.error(`replay on reconnect failed: ${(error as Error).message}`);
      subscriber.truncated(lastEventId);
    }
  }
}
