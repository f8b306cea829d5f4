import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { AppError, PayloadTooLargeError } from '../common/errors/app-errors.js';
import { RedisService } from '../redis/redis.service.js';

/** CONTRACT §4: `room_message` data at most 16 KiB, 20 a second per credential. */
export const ROOM_MESSAGE_MAX_BYTES = 16 * 1024;
export const ROOM_MESSAGES_PER_SECOND = 20;

/**
 * Room messages are stored for days and replayed to everyone in the room: their
 * size is bounded, and their rate is counted per credential in Redis, so opening
 * more sockets or reaching other instances buys no more.
 */
@Injectable()
export class RoomMessageLimits {
  private readonly logger = new Logger('RoomMessageLimits');

  constructor(private readonly redis: RedisService) {}

  async check(principal: Principal, data: unknown): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(data) ?? '');
    if (bytes > ROOM_MESSAGE_MAX_BYTES)
      throw new PayloadTooLargeError(
        `room_message data is ${bytes} bytes; at most ${ROOM_MESSAGE_MAX_BYTES}`,
      );
    const second = Math.floor(Date.now() / 1000);
    const key = this.redis.key('room-messages', principal.kind, principal.id, second);
    let count: number;
    try {
      const [[, counted]] = (await this.redis.client.multi().incr(key).expire(key, 2).exec()) as [
        [Error | null, number],
      ];
      count = counted;
    } catch (error) {
      // Like the HTTP limiter: without Redis, messages are served and the fault logged.
      this.logger.warn(`room message rate not counted: ${(error as Error).message}`);
      return;
    }
    if (count > ROOM_MESSAGES_PER_SECOND)
      throw new AppError(
        429,
        `At most ${ROOM_MESSAGES_PER_SECOND} room messages a second per credential`,
      );
  }
}
