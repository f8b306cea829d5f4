import type { INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HeartbeatAckDto, HeartbeatDto } from '../agents/dto/agent-operations.dto.js';
import {
  ReauthMessageDto,
  ReplayMessageDto,
  RoomMessageDto,
  RoomPayloadMessageDto,
} from '../realtime/dto/messages.dto.js';
import { AuthFrameDto } from '../realtime/plain-ws/client-frame.js';
import {
  TaskCompleteMessage,
  TaskFailMessage,
  TaskProgressMessage,
} from '../tasks/dto/task-actions.dto.js';
import { RunResponseDto } from '../workflows/dto/run.dto.js';
import { CLIENT_MESSAGES } from './asyncapi/client-messages.js';
import { FEED_EVENTS } from './asyncapi/feed-events.js';
import { plainChannels } from './asyncapi/plain-transports.js';
import { type Json, message, obj, ref, str, toJsonSchema } from './asyncapi/schema.js';
import {
  ENTITY_DTOS,
  roomRules,
  RUN_EVENT_VIEW,
  SERVER_EVENT_SUMMARIES,
  serverEvents,
} from './asyncapi/server-events.js';

/**
 * The AsyncAPI 3.0 document of the Socket.IO namespaces `/v2` and `/`, the plain WebSocket
 * endpoints `/ws/v2` and `/ws` and the SSE stream, built from the code: server events from
 * the domain event map run through the real routing (event names, rooms, `data.event`
 * values), payload schemas from the same DTO classes as /docs-json, room rules by asking the
 * room check itself, client messages from the DTOs their handlers validate with.
 */

/** The schemas of the DTO classes, by the same factory as /docs-json. */
@Module({})
class SocketSchemasModule {}

function dtoSchemas(app: INestApplication): Json {
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().build(), {
    include: [SocketSchemasModule],
    extraModels: [
      ...Object.values(ENTITY_DTOS),
      RoomMessageDto,
      RoomPayloadMessageDto,
      ReplayMessageDto,
      ReauthMessageDto,
      AuthFrameDto,
      HeartbeatDto,
      HeartbeatAckDto,
      TaskProgressMessage,
      TaskCompleteMessage,
      TaskFailMessage,
    ],
  });
  const schemas = toJsonSchema(document.components?.schemas ?? {}) as Json;
  const run = schemas[RunResponseDto.name] as Json;
  const { steps: _steps, ...properties } = run.properties as Json;
  schemas[RUN_EVENT_VIEW] = {
    ...run,
    description: 'A run as its events carry it: without its steps',
    properties,
    required: (run.required as string[]).filter((name) => name !== 'steps'),
  };
  return schemas;
}

/** `system_notification` sent to one socket only, without an envelope (both namespaces). */
const DIRECT_NOTICE: Json = {
  type: 'object',
  description:
    'Sent to one socket only, without an envelope: rooms_refused {rooms} at the ' +
    'handshake; token_expired, or disconnected {reason} (credential revoked, account ' +
    'deactivated, disconnected by an admin) just before the server disconnects it',
  properties: {
    event: {
      type: 'string',
      enum: ['rooms_refused', 'token_expired', 'disconnected'],
    },
    rooms: { type: 'array', items: str() },
    reason: str(),
  },
  required: ['event'],
};

export function buildAsyncApiDocument(app: INestApplication, version: string): Json {
  const schemas: Json = {
    ...dtoSchemas(app),
    AckError: obj({
      ok: { type: 'boolean', const: false },
      error: obj(
        {
          status_code: { type: 'integer' },
          message: str(),
          details: {
            type: 'array',
            items: obj({ field: str(), message: str() }),
          },
        },
        ['status_code', 'message'],
      ),
    }),
    HandshakeAuth: {
      type: 'object',
      description:
        'Socket.IO `auth` of the handshake: io(url + "/v2", {auth: {token, rooms, last_event_id}})',
      properties: {
        token: str('A JWT or an API key (optional on / when DASHBOARD_PUBLIC_READ=true)'),
        rooms: { type: 'array', items: str(), description: '/v2: rooms to be put back in' },
        last_event_id: str('/v2: replay what was missed in those rooms after this id'),
      },
      required: ['token'],
    },
  };
  const v2Messages: Json = {};
  const feedMessages: Json = {};
  const operations: Json = {};
  const channelRef = (channel: string) => ({ $ref: `#/channels/${channel}` });
  const messageRef = (channel: string, name: string) => ({
    $ref: `#/channels/${channel}/messages/${name}`,
  });

  const envelope = (type: string, data: Json): Json => ({
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^\\d{1,19}$', description: 'Strictly increasing event id' },
      type: { type: 'string', const: type },
      rooms: { type: 'array', items: str() },
      data,
      timestamp: { type: 'string', format: 'date-time' },
    },
    required: ['id', 'type', 'rooms', 'data', 'timestamp'],
  });

  for (const [type, event] of serverEvents()) {
    const schemaName = `${type}_envelope`;
    schemas[schemaName] = envelope(
      type,
      event.variants.length === 1 ? event.variants[0] : { oneOf: event.variants },
    );
    const payload =
      type === 'system_notification'
        ? {
            oneOf: [ref(schemaName), DIRECT_NOTICE],
          }
        : ref(schemaName);
    v2Messages[type] = {
      ...message(type, SERVER_EVENT_SUMMARIES[type] ?? type, payload),
      'x-rooms': [...event.rooms],
    };
  }
  v2Messages.event_history = message(
    'event_history',
    'A missed event (replay or reconnect with last_event_id), its original envelope unchanged, in order',
    { oneOf: [...serverEvents().keys()].map((type) => ref(`${type}_envelope`)) },
  );
  v2Messages.replay_truncated = message(
    'replay_truncated',
    'More events were missed than can be replayed (10,000), or last_event_id is older than the retention: refetch state',
    obj({ oldest_id: str('The oldest id that can still be replayed') }),
  );

  for (const name of Object.keys(v2Messages)) {
    operations[`v2_${name}`] = {
      action: 'send',
      channel: channelRef('v2'),
      summary: v2Messages[name].summary,
      messages: [messageRef('v2', name)],
    };
  }
  for (const [name, event] of Object.entries(FEED_EVENTS)) {
    feedMessages[name] = message(name, event.summary, event.payload);
    operations[`feed_${name}`] = {
      action: 'send',
      channel: channelRef('feed'),
      summary: event.summary,
      messages: [messageRef('feed', name)],
    };
  }
  feedMessages.system_notification = message(
    'system_notification',
    'A notice to this socket only: token_expired just before the server disconnects it',
    DIRECT_NOTICE,
  );
  operations.feed_system_notification = {
    action: 'send',
    channel: channelRef('feed'),
    summary: feedMessages.system_notification.summary,
    messages: [messageRef('feed', 'system_notification')],
  };
  for (const [entry, client] of Object.entries(CLIENT_MESSAGES)) {
    const name = client.namespace === 'feed' ? entry.replace(/^feed_/, '') : entry;
    const messages = client.namespace === 'v2' ? v2Messages : feedMessages;
    // Client messages are keyed apart from server events (room_message goes both ways).
    const key = `client_${name}`;
    messages[key] = {
      ...message(name, client.summary, client.payload, client.example),
      'x-client': true,
    };
    if (client.ack)
      messages[`${key}_ack`] = message(
        `${name} acknowledgement`,
        `The acknowledgement of ${name}`,
        client.ack,
      );
    operations[`${client.namespace}_${key}`] = {
      action: 'receive',
      channel: channelRef(client.namespace),
      summary: client.summary,
      messages: [messageRef(client.namespace, key)],
      reply: {
        channel: channelRef(client.namespace),
        messages: [messageRef(client.namespace, client.ack ? `${key}_ack` : client.reply!)],
      },
    };
  }

  const plain = plainChannels({
    envelopes: [...serverEvents().keys()].map((type) => `${type}_envelope`),
    feedEvents: Object.fromEntries(
      Object.entries(FEED_EVENTS).map(([name, event]) => [name, event.payload]),
    ),
    directNotice: DIRECT_NOTICE,
  });
  const replies: Record<string, Record<string, string[]>> = {
    wsV2: { '*': ['ack', 'error'] },
    ws: { ping: ['pong'], subscribe: ['subscription_acknowledged'] },
    sse: {},
  };
  for (const [channel, messages] of Object.entries(plain) as [keyof typeof plain, Json][]) {
    for (const [key, entry] of Object.entries(messages)) {
      const client = entry['x-client'] === true;
      const replyTo = replies[channel][entry.name as string] ?? replies[channel]['*'];
      operations[`${channel}_${key}`] = {
        action: client ? 'receive' : 'send',
        channel: channelRef(channel),
        summary: entry.summary,
        messages: [messageRef(channel, key)],
        ...(client && replyTo
          ? {
              reply: {
                channel: channelRef(channel),
                messages: replyTo.map((name) => messageRef(channel, name)),
              },
            }
          : {}),
      };
    }
  }
  const on = (server: string) => [{ $ref: `#/servers/${server}` }];

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'SubForge Dashboard API: live updates',
      version,
      description:
        'Socket.IO (path /socket.io) namespaces `/v2` (rooms, durable history, replay) and `/` ' +
        '(the existing dashboard feed). Authenticate at the handshake with `auth.token` (a JWT or ' +
        'API key); refused handshakes fail with `connect_error` "unauthorized". Every server event ' +
        'of /v2 comes in the envelope {id, type, rooms, data, timestamp}. Each client message is ' +
        'sent with an acknowledgement callback (the reply of its operation). The same events ' +
        'reach clients without a Socket.IO library over plain WebSocket (`/ws/v2`, `/ws`) and ' +
        'Server-Sent Events (`GET /api/v2/events/stream`), through the same rooms, permissions, ' +
        'history and limits. Try it at /docs/socket; the REST API is at /docs.',
    },
    defaultContentType: 'application/json',
    servers: {
      app: {
        host: '{host}',
        protocol: 'ws',
        pathname: '/socket.io',
        description: 'This service (Socket.IO over WebSocket or HTTP long-polling)',
        variables: { host: { default: 'localhost:8000' } },
      },
      plain: {
        host: '{host}',
        protocol: 'ws',
        description: 'This service: plain WebSocket (RFC 6455), JSON text frames',
        variables: { host: { default: 'localhost:8000' } },
      },
      http: {
        host: '{host}',
        protocol: 'http',
        description: 'This service: Server-Sent Events (text/event-stream)',
        variables: { host: { default: 'localhost:8000' } },
      },
    },
    channels: {
      v2: {
        address: '/v2',
        title: 'Namespace /v2',
        description:
          'Authenticated namespace with rooms. The handshake auth is HandshakeAuth: with rooms and ' +
          'last_event_id the socket is put back in those rooms and receives what it missed as ' +
          'event_history (or replay_truncated first). Agent keys are joined to agent:<their id>. ' +
          'Rooms and who may join them: x-rooms.',
        servers: on('app'),
        messages: v2Messages,
        'x-handshake-auth': ref('HandshakeAuth'),
        'x-rooms': roomRules(),
      },
      feed: {
        address: '/',
        title: 'Namespace / (dashboard feed)',
        description:
          'The basic feed of the existing dashboard: no rooms, no replay, at most one event per ' +
          '50 ms per socket (coalesced). Needs auth.token unless DASHBOARD_PUBLIC_READ=true.',
        servers: on('app'),
        messages: feedMessages,
        'x-handshake-auth': ref('HandshakeAuth'),
      },
      wsV2: {
        address: '/ws/v2',
        title: 'Plain WebSocket /ws/v2',
        description:
          'The events of /v2 as frames {type, room, rooms, data, timestamp, message_id, ' +
          'correlation_id} (message_id: the event id). Authenticate with ?token=, an ' +
          'Authorization or X-API-Key header on the upgrade, or an auth frame within 10 s. ' +
          'Reconnect with ?last_event_id=&rooms=a,b to be put back and sent what was missed as ' +
          'event_history. Every client frame is answered by an ack or error frame echoing its ' +
          'correlation_id. Close codes: 4401 unauthenticated, 4403 refused, 4429 too many ' +
          'connections, 1009 frame larger than 1 MB, 1013 instance full, 1001 shutting down.',
        servers: on('plain'),
        messages: plain.wsV2,
        'x-rooms': roomRules(),
      },
      ws: {
        address: '/ws',
        title: 'Plain WebSocket /ws (basic feed)',
        description:
          'The events of namespace / (paced the same way) as frames {type, data, timestamp}, with ' +
          'the original v1 answers to ping and subscribe. Needs ?token= (or a header) unless ' +
          'DASHBOARD_PUBLIC_READ=true; closes with 4401 when refused.',
        servers: on('plain'),
        messages: plain.ws,
      },
      sse: {
        address: '/api/v2/events/stream',
        title: 'Server-Sent Events',
        description:
          'GET /api/v2/events/stream?rooms=a,b (credential in a header, or ?token=): id: the ' +
          'event id, event: the /v2 event name, data: its envelope. A reconnecting EventSource ' +
          'sends Last-Event-ID and first receives what it missed, in order; a comment every 15 s.',
        servers: on('http'),
        messages: plain.sse,
      },
    },
    operations,
    components: { schemas },
  };
}
