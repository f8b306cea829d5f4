import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal.js';
import { ForbiddenError } from '../common/errors/app-errors.js';
import type { SocketData } from '../realtime/socket-hub.service.js';
import { acknowledge, validateMessage } from '../realtime/ws-ack.js';
import { AgentHeartbeatsService } from './agent-heartbeats.service.js';
import { HeartbeatDto } from './dto/agent-operations.dto.js';

/** The agent a socket speaks for: only agent keys send agent messages. */
export function socketAgentId(socket: Socket): string {
  const principal: Principal | undefined = (socket.data as SocketData | undefined)?.principal;
  if (principal?.role !== 'agent' || !principal.agentId)
    throw new ForbiddenError('Only agent keys send agent messages');
  return principal.agentId;
}

/** Messages agents send on namespace /v2 about themselves. */
@WebSocketGateway({ namespace: '/v2' })
export class AgentsGateway {
  constructor(private readonly heartbeats: AgentHeartbeatsService) {}

  /** `agent_heartbeat {status, current_task_id?, metrics?}`, acknowledged like the REST route. */
  @SubscribeMessage('agent_heartbeat')
  heartbeat(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const agentId = socketAgentId(socket);
      const dto = await validateMessage(HeartbeatDto, body);
      return this.heartbeats.heartbeat(agentId, dto);
    });
  }
}
