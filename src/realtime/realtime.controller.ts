import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiNoContent, ApiOk } from '../common/http/api-responses.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import {
  BroadcastResultDto,
  ConnectionDto,
  ConnectionListDto,
  EventHistoryDto,
  ReplayResultDto,
  RoomCountDto,
  RoomDetailDto,
  RoomJoinResultDto,
  RoomLeaveResultDto,
  SocketStatisticsDto,
} from './dto/management-responses.dto.js';
import {
  BroadcastDto,
  ConnectionRefDto,
  EventHistoryQuery,
  ReplayEventsDto,
} from './dto/management.dto.js';
import { RealtimeService } from './realtime.service.js';

@ApiTags('websocket')
@Controller({ path: 'websocket', version: '2' })
export class RealtimeController {
  constructor(private readonly realtime: RealtimeService) {}

  @Get('connections')
  @Auth('admin')
  @ApiOperation({ summary: 'Socket.IO connections on every instance' })
  @ApiOk(ConnectionListDto)
  @ApiErrors(503)
  connections(): Promise<ConnectionListDto> {
    return this.realtime.connections();
  }

  @Get('connections/:id')
  @Auth('admin')
  @ApiOperation({ summary: 'One connection (a Socket.IO socket id)' })
  @ApiOk(ConnectionDto)
  @ApiErrors(404, 503)
  connection(@Param('id') id: string): Promise<ConnectionDto> {
    return this.realtime.connection(id);
  }

  @Delete('connections/:id')
  @Auth('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect a socket, wherever it is connected' })
  @ApiNoContent()
  @ApiErrors(404, 503)
  disconnect(@Param('id') id: string): Promise<void> {
    return this.realtime.disconnect(id);
  }

  @Get('rooms')
  @Auth('viewer')
  @ApiOperation({ summary: 'Rooms with members, across instances (the rooms the caller may join)' })
  @ApiOk(RoomCountDto, { isArray: true })
  @ApiErrors(503)
  rooms(@CurrentPrincipal() principal: Principal): Promise<RoomCountDto[]> {
    return this.realtime.rooms(principal);
  }

  @Get('rooms/:name')
  @Auth('viewer')
  @ApiOperation({ summary: 'One room and its members (404 when empty or unknown)' })
  @ApiOk(RoomDetailDto)
  @ApiErrors(404, 503)
  room(
    @Param('name') name: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RoomDetailDto> {
    return this.realtime.room(name, principal);
  }

  @Post('broadcast')
  @Auth('operator')
  @HttpCode(200)
  @RateLimit('broadcast')
  @ApiOperation({ summary: 'Send a system notification or a room message (kept in history)' })
  @ApiOk(BroadcastResultDto)
  @ApiErrors(503)
  broadcast(
    @Body() dto: BroadcastDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BroadcastResultDto> {
    return this.realtime.broadcast(dto, principal);
  }

  @Post('rooms/:name/join')
  @Auth('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put a connection into a room (any instance)' })
  @ApiOk(RoomJoinResultDto)
  @ApiErrors(404, 503)
  join(@Param('name') name: string, @Body() dto: ConnectionRefDto): Promise<RoomJoinResultDto> {
    return this.realtime.join(name, dto.connection_id);
  }

  @Post('rooms/:name/leave')
  @Auth('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a connection out of a room (any instance)' })
  @ApiOk(RoomLeaveResultDto)
  @ApiErrors(404, 503)
  leave(@Param('name') name: string, @Body() dto: ConnectionRefDto): Promise<RoomLeaveResultDto> {
    return this.realtime.leave(name, dto.connection_id);
  }

  @Get('event-history')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Stored events the caller may read, filtered by room, types, id and time',
  })
  @ApiOk(EventHistoryDto)
  history(
    @Query() query: EventHistoryQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<EventHistoryDto> {
    return this.realtime.history(query, principal);
  }

  @Post('connections/:id/replay-events')
  @Auth('admin')
  @HttpCode(200)
  @RateLimit('replay')
  @ApiOperation({ summary: 'Send stored events to a connection as event_history' })
  @ApiOk(ReplayResultDto)
  @ApiErrors(404, 503)
  replay(@Param('id') id: string, @Body() dto: ReplayEventsDto): Promise<ReplayResultDto> {
    return this.realtime.replayTo(id, dto);
  }

  @Get('statistics')
  @Auth('viewer')
  @ApiOperation({ summary: 'Connections, rooms, message counters, peak and instances (measured)' })
  @ApiOk(SocketStatisticsDto)
  @ApiErrors(503)
  statistics(@CurrentPrincipal() principal: Principal): Promise<SocketStatisticsDto> {
    return this.realtime.statistics(principal);
  }
}
