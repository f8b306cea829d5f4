import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { TextField } from '../../common/validation/fields.js';
import {
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

/** The longest room name: `room:` and 64 characters, or an entity room, fit well within. */
export const MAX_ROOM_LENGTH = 100;

export class RoomMessageDto {
  @TextField(
    { min: 1, max: MAX_ROOM_LENGTH },
    {
      doc: {
        description: 'A room name (see the rooms of namespace /v2)',
        example: 'agents',
        minLength: 1,
        maxLength: MAX_ROOM_LENGTH,
      },
    },
  )
  room: string;
}

export class RoomPayloadMessageDto extends RoomMessageDto {
  @ApiProperty({
    description: 'Any JSON value, at most 16 KiB; relayed to the room as is',
    example: { text: 'hello' },
  })
  @IsDefined()
  data: unknown;
}

export class ReplayMessageDto {
  @TextField(
    { min: 1, max: MAX_ROOM_LENGTH },
    {
      optional: true,
      doc: {
        description: 'One room (default: every room the socket is in)',
        example: 'agents',
        minLength: 1,
        maxLength: MAX_ROOM_LENGTH,
      },
    },
  )
  room?: string;

  @ApiProperty({
    description: 'Replay the events after this id',
    pattern: '^\\d{1,19}$',
    example: '0',
  })
  @Matches(/^\d{1,19}$/, { message: 'after_id must be an event id (digits)' })
  after_id: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1000, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ReauthMessageDto {
  @ApiProperty({ description: 'A fresh JWT of the same identity', example: 'eyJhbGciOi...' })
  @IsString()
  @IsNotEmpty()
  token: string;
}
