import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { BadRequestError } from '../../common/errors/app-errors.js';
import { ReauthMessageDto } from '../dto/messages.dto.js';

/** `auth {token, rooms?, last_event_id?}`: the first frame of a client that sent no credential. */
export class AuthFrameDto extends ReauthMessageDto {
  @ApiPropertyOptional({ description: 'Rooms to be put back in', example: ['tasks'] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  rooms?: string[];

  @ApiPropertyOptional({
    description: 'Replay what was missed in those rooms after this id',
    pattern: '^\\d{1,19}$',
    example: '42',
  })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'last_event_id must be an event id (digits)' })
  last_event_id?: string;
}

export interface ClientFrame {
  type: string;
  correlationId: string | null;
  /** What the message's DTO validates: `room`, the fields of `data` (or `data` itself for room_message) and any other top-level field. */
  body: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a client frame `{type, room?, data?, correlation_id?}`. Bad JSON, a frame that is
 * not an object or has no type: a 400 (the caller answers with an error frame).
 */
export function parseClientFrame(raw: Buffer | string, isBinary: boolean): ClientFrame {
  if (isBinary) throw new BadRequestError('Frames are JSON text, not binary');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch {
    throw new BadRequestError('The frame is not valid JSON');
  }
  if (!isObject(parsed)) throw new BadRequestError('A frame is a JSON object {type, ...}');
  const { type, correlation_id: correlation, data, ...rest } = parsed;
  const correlationId =
    typeof correlation === 'string' || typeof correlation === 'number'
      ? String(correlation).slice(0, 200)
      : null;
  if (typeof type !== 'string' || !type)
    throw Object.assign(new BadRequestError('type is required'), { correlationId });
  let body: Record<string, unknown>;
  if (type === 'room_message') body = { ...rest, ...(data !== undefined ? { data } : {}) };
  else if (data === undefined || data === null) body = rest;
  else if (isObject(data)) body = { ...rest, ...data };
  else throw Object.assign(new BadRequestError('data must be an object'), { correlationId });
  return { type, correlationId, body };
}
