import { HeartbeatAckDto, HeartbeatDto } from '../../agents/dto/agent-operations.dto.js';
import {
  ReauthMessageDto,
  ReplayMessageDto,
  RoomMessageDto,
  RoomPayloadMessageDto,
} from '../../realtime/dto/messages.dto.js';
import {
  TaskCompleteMessage,
  TaskFailMessage,
  TaskProgressMessage,
} from '../../tasks/dto/task-actions.dto.js';
import { ACK_ERROR, type Json, nullable, obj, ok, ref, SAMPLE_ID, str } from './schema.js';

/** The client messages of the Socket.IO namespaces, each with its acknowledgement (or reply event). */
export interface ClientMessage {
  summary: string;
  payload: Json;
  example: unknown;
  /** The acknowledgement; without one, the answer is the server event `reply`. */
  ack?: Json;
  reply?: string;
  namespace: 'v2' | 'feed';
}

export const CLIENT_MESSAGES: Record<string, ClientMessage> = {
  join_room: {
    namespace: 'v2',
    summary: 'Join a room (see x-rooms for who may join which)',
    payload: ref(RoomMessageDto.name),
    example: { room: 'agents' },
    ack: ok({ room: str(), members_count: { type: 'integer', minimum: 1 } }),
  },
  leave_room: {
    namespace: 'v2',
    summary: 'Leave a room',
    payload: ref(RoomMessageDto.name),
    example: { room: 'agents' },
    ack: ok({ room: str() }),
  },
  room_message: {
    namespace: 'v2',
    summary:
      'Send to the members of a room the socket is in (data at most 16 KiB, 20 a second per credential)',
    payload: ref(RoomPayloadMessageDto.name),
    example: { room: 'room:lobby', data: { text: 'hello' } },
    ack: ok({ room: str(), event_id: str('The id of the stored event') }),
  },
  replay: {
    namespace: 'v2',
    summary: 'Replay stored events after an id: they arrive as event_history, then the ack',
    payload: ref(ReplayMessageDto.name),
    example: { room: 'agents', after_id: '0', limit: 100 },
    ack: ok({ count: { type: 'integer', minimum: 0 }, last_id: nullable(str()) }),
  },
  ping: {
    namespace: 'v2',
    summary: 'Liveness check',
    payload: { description: 'Anything or nothing; ignored' },
    example: {},
    ack: obj({ pong: { type: 'boolean', const: true }, timestamp: str() }),
  },
  reauth: {
    namespace: 'v2',
    summary: 'Extend a JWT-authenticated socket with a fresh token of the same identity',
    payload: ref(ReauthMessageDto.name),
    example: { token: 'eyJhbGciOi...' },
    ack: ok({ expires_at: nullable({ type: 'string', format: 'date-time' }) }),
  },
  agent_heartbeat: {
    namespace: 'v2',
    summary: 'Agent keys only: a heartbeat, as POST /api/v2/agents/{id}/heartbeat',
    payload: ref(HeartbeatDto.name),
    example: { status: 'active' },
    ack: {
      oneOf: [{ allOf: [obj({ ok: { const: true } }), ref(HeartbeatAckDto.name)] }, ACK_ERROR],
    },
  },
  task_progress: {
    namespace: 'v2',
    summary: 'Progress on a task (agent keys on their own tasks, operators on any)',
    payload: ref(TaskProgressMessage.name),
    example: { task_id: SAMPLE_ID, percentage: 50, message: 'halfway' },
    ack: ok({ task_id: str(), status: str(), percentage: { type: 'number' } }),
  },
  task_complete: {
    namespace: 'v2',
    summary: 'Complete a task (agent keys on their own tasks, operators on any)',
    payload: ref(TaskCompleteMessage.name),
    example: { task_id: SAMPLE_ID, result: { summary: 'done' } },
    ack: ok({ task_id: str(), status: str(), attempt: { type: 'integer' } }),
  },
  task_fail: {
    namespace: 'v2',
    summary: 'Fail a task (agent keys on their own tasks, operators on any)',
    payload: ref(TaskFailMessage.name),
    example: { task_id: SAMPLE_ID, error: 'Tests did not pass', retryable: true },
    ack: ok({ task_id: str(), status: str(), attempt: { type: 'integer' } }),
  },
  feed_ping: {
    namespace: 'feed',
    summary: 'Liveness check; answered by the event pong {timestamp}',
    payload: { description: 'Anything or nothing; ignored' },
    example: {},
    reply: 'pong',
  },
  subscribe_workflow: {
    namespace: 'feed',
    summary: 'Sent by the dashboard when a workflow page opens (the basic feed has no rooms)',
    payload: { description: 'The workflow id; ignored' },
    example: SAMPLE_ID,
    ack: obj({ ok: { type: 'boolean', const: true } }),
  },
  unsubscribe_workflow: {
    namespace: 'feed',
    summary: 'Sent by the dashboard when a workflow page closes',
    payload: { description: 'The workflow id; ignored' },
    example: SAMPLE_ID,
    ack: obj({ ok: { type: 'boolean', const: true } }),
  },
};
