import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
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
import { TextField } from '../../common/validation/fields.js';
import { MAX_ROOM_LENGTH } from '../rooms.js';

export class RoomMessageDto {
  @TextField(
    { min: 1, max: MAX_ROOM_LENGTH },
    {
      doc: {
        description: 'A room name (see the rooms of namespace /v2)',
        example: 'agents',
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
    { max: MAX_ROOM_LENGTH },
    {
      nullable: true,
      doc: {
        description: 'One room (absent, empty or null: every room the socket is in)',
        example: 'agents',
      },
    },
  )
  room?: string | null;

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
