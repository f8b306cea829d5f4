import { AuthFrameDto } from '../../realtime/plain-ws/client-frame.js';
import { WS_V2_CLIENT_TYPES } from '../../realtime/plain-ws/frames.js';
import { type Json, message, nullable, obj, ref, str } from './schema.js';

/**
 * The plain WebSocket endpoints `/ws/v2` and `/ws` and the SSE stream, as AsyncAPI channels.
 * They carry the same events as namespace /v2 (and /), in frames of their own.
 */

const EVENT_ID = { type: 'string', pattern: '^\\d{1,19}$' };
const TIMESTAMP = { type: 'string', format: 'date-time' };

/** A `/ws/v2` server frame `{type, room, rooms, data, timestamp, message_id, correlation_id}`. */
function frame(type: string, data: Json, messageId: Json = nullable(EVENT_ID)): Json {
  return obj({
    type: { type: 'string', const: type },
    room: nullable(str('The room of yours it reached you through')),
    rooms: { type: 'array', items: str() },
    data,
    timestamp: TIMESTAMP,
    message_id: messageId,
    correlation_id: nullable(str('Echoes the client frame this answers')),
  });
}

/** A `/ws/v2` client frame `{type, room?, data?, correlation_id?}`. */
function clientFrame(type: string, fields: Json, required: string[] = []): Json {
  return {
    type: 'object',
    properties: {
      type: { type: 'string', const: type },
      ...fields,
      correlation_id: str('Echoed by the answer (ack or error)'),
    },
    required: ['type', ...required],
  };
}

const WS_V2_CLIENT: Record<(typeof WS_V2_CLIENT_TYPES)[number], [string, Json, unknown]> = {
  auth: [
    'Authenticate (unless the upgrade carried ?token= or Authorization); within 10 s, else close 4401',
    clientFrame('auth', { data: ref(AuthFrameDto.name) }, ['data']),
    { type: 'auth', data: { token: 'sk_...', rooms: ['tasks'], last_event_id: '42' } },
  ],
  join_room: [
    'Join a room (the rooms and permissions of /v2); ack {room, members_count}',
    clientFrame('join_room', { room: str() }, ['room']),
    { type: 'join_room', room: 'tasks', correlation_id: '1' },
  ],
  leave_room: [
    'Leave a room; ack {room}',
    clientFrame('leave_room', { room: str() }, ['room']),
    { type: 'leave_room', room: 'tasks' },
  ],
  room_message: [
    'Send to the other members of a room you are in (data at most 16 KiB); ack {room, event_id}',
    clientFrame('room_message', { room: str(), data: {} }, ['room', 'data']),
    { type: 'room_message', room: 'room:lobby', data: { text: 'hello' } },
  ],
  replay: [
    'Replay stored events after an id (event_history frames, then the ack {count, last_id})',
    clientFrame('replay', {
      room: str(),
      data: obj({ after_id: EVENT_ID, limit: { type: 'integer', minimum: 1, maximum: 1000 } }, [
        'after_id',
      ]),
    }),
    { type: 'replay', room: 'tasks', data: { after_id: '0' } },
  ],
  ping: ['Liveness check; ack {pong: true}', clientFrame('ping', {}), { type: 'ping' }],
};

const ACK_FRAME = {
  type: 'object',
  description: 'The answer to a client frame; the fields of its result beside these',
  properties: {
    type: { type: 'string', const: 'ack' },
    ok: { type: 'boolean', const: true },
    reply_to: str('The type of the client frame'),
    correlation_id: nullable(str()),
    timestamp: TIMESTAMP,
  },
  required: ['type', 'ok', 'reply_to', 'correlation_id', 'timestamp'],
  additionalProperties: true,
};

const ERROR_FRAME = obj({
  type: { type: 'string', const: 'error' },
  ok: { type: 'boolean', const: false },
  reply_to: nullable(str('The type of the client frame, when it had one')),
  correlation_id: nullable(str()),
  timestamp: TIMESTAMP,
  error: ref('AckError/properties/error'),
});

export interface PlainParts {
  /** Server event name → its /v2 envelope schema name (`<type>_envelope`). */
  envelopes: string[];
  /** Namespace / event name → its payload schema. */
  feedEvents: Record<string, Json>;
  /** `system_notification` sent to one connection only. */
  directNotice: Json;
}

/** The channels `/ws/v2`, `/ws` and `/api/v2/events/stream`: their messages, keyed by name. */
export function plainChannels(parts: PlainParts): Record<'wsV2' | 'ws' | 'sse', Json> {
  const wsV2: Json = {};
  const sse: Json = {};
  for (const name of parts.envelopes) {
    const type = name.replace(/_envelope$/, '');
    const data = { $ref: `#/components/schemas/${name}/properties/data` };
    wsV2[type] = message(
      type,
      `The /v2 event ${type}`,
      type === 'system_notification'
        ? { oneOf: [frame(type, data, EVENT_ID), frame(type, parts.directNotice)] }
        : frame(type, data, EVENT_ID),
    );
    sse[type] = message(type, `event: ${type}; id: the event id; data: the envelope`, ref(name));
  }
  const anyEnvelope = { oneOf: parts.envelopes.map((name) => ref(name)) };
  wsV2.event_history = message(
    'event_history',
    'A missed event (reconnect with last_event_id, or replay): data is its original envelope',
    frame('event_history', anyEnvelope, EVENT_ID),
  );
  const truncated = obj({ oldest_id: str('The oldest id that can still be replayed') });
  wsV2.replay_truncated = message(
    'replay_truncated',
    'More was missed than can be replayed (10,000) or it is past the retention: refetch state',
    frame('replay_truncated', truncated),
  );
  sse.replay_truncated = message('replay_truncated', 'As on /ws/v2 (no id:)', truncated);
  sse.system_notification = message(
    'system_notification',
    'An event of the rooms, or a notice to this stream only (token_expired, rooms_left)',
    { oneOf: [ref('system_notification_envelope'), parts.directNotice] },
  );
  wsV2.connection_state = message(
    'connection_state',
    'Sent once authenticated (first, before any replay)',
    frame(
      'connection_state',
      obj({
        connection_id: str(),
        state: { type: 'string', const: 'authenticated' },
        principal: obj({ kind: str(), role: str(), name: str() }),
      }),
    ),
  );
  wsV2.ack = message('ack', 'The answer to a client frame that succeeded', ACK_FRAME);
  wsV2.error = message(
    'error',
    'The answer to a client frame that failed (bad JSON, unknown type, refused room, ...): the connection stays usable',
    ERROR_FRAME,
  );
  for (const [type, [summary, payload, example]] of Object.entries(WS_V2_CLIENT))
    wsV2[`client_${type}`] = { ...message(type, summary, payload, example), 'x-client': true };

  const ws: Json = {};
  const v1 = (type: string, data: Json): Json =>
    obj({ type: { type: 'string', const: type }, data, timestamp: TIMESTAMP });
  for (const [name, payload] of Object.entries(parts.feedEvents))
    ws[name] = message(name, `The namespace / event ${name}`, v1(name, payload));
  ws.connection_established = message(
    'connection_established',
    'The welcome frame',
    v1(
      'connection_established',
      obj({ message: str(), timestamp: TIMESTAMP, connection_id: str() }),
    ),
  );
  ws.subscription_acknowledged = message(
    'subscription_acknowledged',
    'The answer to subscribe: its data echoed (the feed has no rooms)',
    v1('subscription_acknowledged', {}),
  );
  ws.system_notification = message(
    'system_notification',
    'token_expired, just before the server closes with 4401',
    v1('system_notification', parts.directNotice),
  );
  ws.error = message(
    'error',
    'A frame that was not JSON, or of an unknown type',
    v1('error', obj({ status_code: { type: 'integer' }, message: str() })),
  );
  for (const type of ['ping', 'subscribe'])
    ws[`client_${type}`] = {
      ...message(
        type,
        type === 'ping' ? 'Answered by pong' : 'Answered by subscription_acknowledged',
        obj({ type: { type: 'string', const: type }, data: {} }, ['type']),
        { type },
      ),
      'x-client': true,
    };
  return { wsV2, ws, sse };
}
