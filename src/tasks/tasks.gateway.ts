import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal.js';
import { roleSatisfies } from '../auth/roles.js';
import { ForbiddenError } from '../common/errors/app-errors.js';
import type { SocketData } from '../realtime/socket-hub.service.js';
import { acknowledge, validateMessage } from '../realtime/ws-ack.js';
import {
  TaskCompleteMessage,
  TaskFailMessage,
  TaskProgressMessage,
} from './dto/task-actions.dto.js';
import { TaskMoves } from './task-moves.service.js';

/** Agent keys report on their own tasks; operators may report on any (as over REST). */
function reporter(socket: Socket): Principal {
  const principal = (socket.data as SocketData | undefined)?.principal;
  if (!principal || (principal.role !== 'agent' && !roleSatisfies(principal.role, 'operator')))
    throw new ForbiddenError('Task reports need an agent key or the operator role');
  return principal;
}

/** `task_progress`, `task_complete` and `task_fail` on namespace /v2, with the REST rules. */
@WebSocketGateway({ namespace: '/v2' })
export class TasksGateway {
  constructor(private readonly moves: TaskMoves) {}

  @SubscribeMessage('task_progress')
  progress(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const actor = reporter(socket);
      const { task_id, ...dto } = await validateMessage(TaskProgressMessage, body);
      const task = await this.moves.progress(task_id, dto, actor);
      return { task_id, status: task.status, percentage: task.progressPercentage };
    });
  }

  @SubscribeMessage('task_complete')
  complete(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const actor = reporter(socket);
      const { task_id, ...dto } = await validateMessage(TaskCompleteMessage, body);
      const task = await this.moves.act(task_id, 'complete', dto, actor);
      return { task_id, status: task.status, attempt: task.attempt };
    });
  }

  @SubscribeMessage('task_fail')
  fail(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return acknowledge(async () => {
      const actor = reporter(socket);
      const { task_id, ...dto } = await validateMessage(TaskFailMessage, body);
      const task = await this.moves.act(task_id, 'fail', dto, actor);
      return { task_id, status: task.status, attempt: task.attempt };
    });
  }
}
