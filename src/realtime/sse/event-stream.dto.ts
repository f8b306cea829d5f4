import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TextField } from '../../common/validation/fields.js';

export class EventStreamQuery {
  @ApiProperty({
    description: 'Comma list of rooms to follow (the rooms of namespace /v2)',
    example: 'agents,tasks',
    maxLength: 2000,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  rooms: string;

  @ApiPropertyOptional({
    description:
      'Resume after this event id (what a reconnecting EventSource sends as the ' +
      'Last-Event-ID header; the header wins)',
    pattern: '^\\d{1,19}$',
    example: '42',
  })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'last_event_id must be an event id (digits)' })
  last_event_id?: string;

  @TextField(
    { max: 4096 },
    {
      optional: true,
      doc: {
        description:
          'The credential (a JWT or an API key), for clients that cannot send headers such ' +
          'as a browser EventSource; never logged',
      },
    },
  )
  token?: string;
}
