import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDefined,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { QueryInt } from '../../common/validation/decorators.js';
import { DateTimeField, EnumField, IntField, TextField } from '../../common/validation/fields.js';

export const BROADCAST_TYPES = ['system_notification', 'room_message'] as const;

export class BroadcastDto {
  @EnumField(BROADCAST_TYPES, 'BroadcastType')
  message_type: (typeof BROADCAST_TYPES)[number];

  @TextField(
    { max: 100 },
    {
      optional: true,
      doc: {
        description: 'Target room; required for room_message, default `system` for notifications',
      },
    },
  )
  room?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { message: 'Deploy at 18:00' },
  })
  @IsDefined()
  @IsObject()
  data: Record<string, unknown>;
}

export class ConnectionRefDto {
  @ApiProperty({ description: 'A Socket.IO socket id' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  connection_id: string;
}

const EVENT_ID = /^\d{1,19}$/;

export class EventHistoryQuery {
  @TextField({ max: 100 }, { optional: true })
  room?: string;

  @TextField(
    { max: 500 },
    {
      optional: true,
      doc: { description: 'Comma list of event types (task_update, agent_update, ...)' },
    },
  )
  event_types?: string;

  @ApiPropertyOptional({ description: 'Only events after this id' })
  @IsOptional()
  @Matches(EVENT_ID, { message: 'after_id must be an event id (digits)' })
  after_id?: string;

  @DateTimeField({ optional: true })
  since?: string;

  @QueryInt({
    minimum: 1,
    maximum: 1000,
    default: 100,
    description:
      'At most this many events, in id order: the oldest after after_id or since; without either, the newest',
  })
  limit: number = 100;
}

export class ReplayEventsDto {
  @TextField({ max: 100 }, { nullable: true })
  room?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(EVENT_ID, { message: 'after_id must be an event id (digits)' })
  after_id?: string;

  @DateTimeField({ nullable: true })
  since?: string;

  @IntField({ min: 1, max: 1000 }, { nullable: true, doc: { default: 100 } })
  limit?: number;
}
