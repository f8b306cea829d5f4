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

export class RoomMessageDto {
  @IsString()
  @IsNotEmpty()
  room: string;
}

export class RoomPayloadMessageDto extends RoomMessageDto {
  @IsDefined()
  data: unknown;
}

export class ReplayMessageDto {
  @IsOptional()
  @IsString()
  room?: string;

  @Matches(/^\d{1,19}$/, { message: 'after_id must be an event id (digits)' })
  after_id: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ReauthMessageDto {
  @IsString()
  @IsNotEmpty()
  token: string;
}
