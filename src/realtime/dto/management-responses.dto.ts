import { ApiProperty } from '@nestjs/swagger';

/** The envelope of every `/v2` server event (and of stored history). */
export class EventEnvelopeDto {
  @ApiProperty({ description: 'Strictly increasing integer, as a string', example: '1042' })
  id: string;
  @ApiProperty({ description: 'The socket event name', example: 'agent_update' }) type: string;
  @ApiProperty({
    type: [String],
    example: ['agents', 'agent:0b9f6a9e-1c1d-4a43-9b87-4c5a0f3f2b11'],
  })
  rooms: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      '`{event, <entity>: <its v2 representation>}` (`{event, <entity>_id}` for deletions)',
  })
  data: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
}

export class ConnectionPrincipalDto {
  @ApiProperty({ enum: ['user', 'api_key', 'anonymous'] }) kind: string;
  @ApiProperty() id: string;
  @ApiProperty() role: string;
  @ApiProperty() name: string;
}

export class ConnectionDto {
  @ApiProperty({ description: 'The Socket.IO socket id' }) id: string;
  @ApiProperty({ enum: ['/v2', '/'] }) namespace: string;
  @ApiProperty({ type: ConnectionPrincipalDto, nullable: true })
  principal: ConnectionPrincipalDto | null;
  @ApiProperty() authenticated: boolean;
  @ApiProperty({ type: [String] }) rooms: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) connected_at: string | null;
  @ApiProperty({ type: String, nullable: true }) instance_id: string | null;
}

export class ConnectionListDto {
  @ApiProperty({ type: [ConnectionDto] }) connections: ConnectionDto[];
  @ApiProperty() total: number;
}

export class RoomCountDto {
  @ApiProperty({ example: 'agents' }) name: string;
  @ApiProperty({ example: 2 }) members_count: number;
}

export class RoomDetailDto extends RoomCountDto {
  @ApiProperty({ type: [ConnectionDto], description: 'Identities shown to admins only' })
  members: ConnectionDto[];
}

export class BroadcastResultDto {
  @ApiProperty() recipients_count: number;
  @ApiProperty() event_id: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
}

export class RoomJoinResultDto {
  @ApiProperty() room: string;
  @ApiProperty() connection_id: string;
  @ApiProperty() joined: boolean;
}

export class RoomLeaveResultDto {
  @ApiProperty() room: string;
  @ApiProperty() connection_id: string;
  @ApiProperty() left: boolean;
}

export class EventHistoryFiltersDto {
  @ApiProperty({ type: String, nullable: true }) room: string | null;
  @ApiProperty({ type: [String], nullable: true }) event_types: string[] | null;
  @ApiProperty({ type: String, nullable: true }) after_id: string | null;
  @ApiProperty({ type: String, nullable: true }) since: string | null;
  @ApiProperty() limit: number;
}

export class EventHistoryDto {
  @ApiProperty({ type: [EventEnvelopeDto] }) events: EventEnvelopeDto[];
  @ApiProperty() total_count: number;
  @ApiProperty({ type: EventHistoryFiltersDto }) filters: EventHistoryFiltersDto;
}

export class ReplayResultDto {
  @ApiProperty() replayed_count: number;
}

export class MessageCountsDto {
  @ApiProperty() sent_last_minute: number;
  @ApiProperty() received_last_minute: number;
  @ApiProperty() sent_last_hour: number;
  @ApiProperty() received_last_hour: number;
}

export class SocketStatisticsDto {
  @ApiProperty() total_connections: number;
  @ApiProperty() authenticated_connections: number;
  @ApiProperty() total_rooms: number;
  @ApiProperty({ type: [RoomCountDto] }) rooms: RoomCountDto[];
  @ApiProperty() event_history_size: number;
  @ApiProperty({ type: MessageCountsDto }) messages: MessageCountsDto;
  @ApiProperty() peak_connections: number;
  @ApiProperty() uptime_seconds: number;
  @ApiProperty() instances: number;
}
