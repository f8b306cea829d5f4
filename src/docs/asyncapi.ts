import type { INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HeartbeatAckDto, HeartbeatDto } from '../agents/dto/agent-operations.dto.js';
import { AgentResponseDto } from '../agents/dto/agent.dto.js';
import type { Principal } from '../auth/principal.js';
import { API_KEY_ROLES } from '../auth/roles.js';
import { FileInfoDto } from '../files/dto/file.dto.js';
import { JobResponseDto } from '../jobs/dto/jobs.dto.js';
import type { DomainEventMap, DomainEventName } from '../realtime/domain-events.js';
import {
  ReauthMessageDto,
  ReplayMessageDto,
  RoomMessageDto,
  RoomPayloadMessageDto,
} from '../realtime/dto/messages.dto.js';
import type { FeedEventName } from '../dashboard/dashboard-feed.js';
import { routeDomainEvent } from '../realtime/event-routing.js';
import { checkRoom } from '../realtime/rooms.js';
import {
  TaskCompleteMessage,
  TaskFailMessage,
  TaskProgressMessage,
} from '../tasks/dto/task-actions.dto.js';
import { TaskResponseDto } from '../tasks/dto/task.dto.js';
import { RunResponseDto } from '../workflows/dto/run.dto.js';
import { WorkflowResponseDto } from '../workflows/dto/workflow.dto.js';

/**
 * The AsyncAPI 3.0 document of the Socket.IO namespaces `/v2` and `/`, built from the code:
 * server events from the domain event map run through the real routing (event names, rooms,
 * `data.event` values), payload schemas from the same DTO classes as /docs-json, room rules
 * by asking the room check itself, client messages from the DTOs their handlers validate with.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): Json => ({
  type: 'string',
  ...(description && { description }),
});
const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
const obj = (properties: Json, required: string[] = Object.keys(properties)): Json => ({
  type: 'object',
  properties,
  required,
});

const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';
const SAMPLE_ENTITY = {
  id: SAMPLE_ID,
  workflow_id: SAMPLE_ID,
  run_id: SAMPLE_ID,
  assigned_agent: { id: SAMPLE_ID },
};

/** An entity of a domain event: its v2 representation (the REST DTO). */
const ENTITY_DTOS = {
  agent: AgentResponseDto,
  task: TaskResponseDto,
  workflow: WorkflowResponseDto,
  run: RunResponseDto,
  job: JobResponseDto,
  file: FileInfoDto,
};

interface Field {
  schema: Json;
  optional?: boolean;
  sample: unknown;
}
/** Run events carry the run without its steps (each step has its own task events). */
const RUN_EVENT_VIEW = 'RunEventView';
const entity = (name: keyof typeof ENTITY_DTOS): Field => ({
  schema: ref(name === 'run' ? RUN_EVENT_VIEW : ENTITY_DTOS[name].name),
  sample: SAMPLE_ENTITY,
});
const id = (optional = false): Field => ({
  schema: optional
    ? nullable({ type: 'string', format: 'uuid' })
    : { type: 'string', format: 'uuid' },
  optional,
  sample: SAMPLE_ID,
});
const text = (optional = false): Field => ({
  schema: optional ? nullable(str()) : str(),
  optional,
  sample: 'x',
});
const SUBFORGE_WORKFLOW: Field = {
  schema: obj({
    workflow_id: str('The run directory name'),
    status: str(),
    progress_percentage: { type: 'number' },
  }),
  sample: { workflow_id: 'sample', status: 'running', progress_percentage: 0 },
};
const FREE_OBJECT: Field = { schema: { type: 'object', additionalProperties: true }, sample: {} };

/**
 * The fields of every domain event (its `data` besides `event`). Typed against
 * DomainEventMap: a domain event without its description here does not compile.
 */
const DOMAIN_EVENT_FIELDS: { [K in DomainEventName]: Record<keyof DomainEventMap[K], Field> } = {
  'agent.created': { agent: entity('agent') },
  'agent.updated': { agent: entity('agent') },
  'agent.status_changed': { agent: entity('agent'), previous_status: text() },
  'agent.configuration_updated': { agent: entity('agent') },
  'agent.deleted': { agent_id: id() },
  'agent.command': {
    agent_id: id(),
    command: { schema: { type: 'string', enum: ['start', 'stop', 'restart'] }, sample: 'start' },
    parameters: FREE_OBJECT,
  },
  'task.created': { task: entity('task') },
  'task.updated': { task: entity('task') },
  'task.status_changed': { task: entity('task'), previous_status: text() },
  'task.progress': { task: entity('task'), message: text(true) },
  'task.assigned': {
    task: entity('task'),
    run_id: { ...id(), schema: nullable({ type: 'string', format: 'uuid' }) },
    step_key: { ...text(), schema: nullable(str()) },
    attempt: { schema: { type: 'integer', minimum: 1 }, sample: 1 },
  },
  'task.ready': { task: entity('task') },
  'task.blocked': {
    task: entity('task'),
    blocked_by: {
      schema: { type: 'array', items: { type: 'string', format: 'uuid' } },
      sample: [],
    },
  },
  'task.deleted': {
    task_id: id(),
    run_id: id(true),
    workflow_id: id(true),
    agent_id: id(true),
    task: { ...entity('task'), optional: true },
  },
  'workflow.created': { workflow: entity('workflow') },
  'workflow.updated': { workflow: entity('workflow') },
  'workflow.deleted': { workflow_id: id() },
  'run.started': { run: entity('run') },
  'run.progress': { run: entity('run') },
  'run.paused': { run: entity('run') },
  'run.resumed': { run: entity('run') },
  'run.completed': { run: entity('run') },
  'run.failed': { run: entity('run') },
  'run.cancelled': { run: entity('run') },
  'run.updated': { run: entity('run') },
  'run.waiting': {
    run: entity('run'),
    steps: {
      schema: {
        type: 'array',
        description:
          'Steps whose reason for waiting for an agent changed (null: no longer waiting)',
        items: obj({
          key: str(),
          task_id: { type: 'string', format: 'uuid' },
          waiting_reason: nullable(str()),
          waiting_detail: nullable(str()),
        }),
      },
      sample: [],
    },
  },
  'run.deleted': { run_id: id(), workflow_id: id() },
  'subforge.created': { workflow: SUBFORGE_WORKFLOW },
  'subforge.updated': { workflow: SUBFORGE_WORKFLOW },
  'subforge.deleted': { workflow: SUBFORGE_WORKFLOW },
  'subforge.scan_completed': {
    scan_type: { schema: { type: 'string', enum: ['force', 'incremental'] }, sample: 'force' },
    status: { schema: { type: 'string', enum: ['completed', 'failed'] }, sample: 'completed' },
    discovered_count: { schema: { type: 'integer', minimum: 0 }, sample: 0 },
    workflows: { schema: { type: 'array', items: str() }, sample: [] },
    error: { ...text(), optional: true },
  },
  'job.created': { job: entity('job') },
  'job.started': { job: entity('job') },
  'job.progress': { job: entity('job') },
  'job.completed': { job: entity('job') },
  'job.failed': { job: entity('job') },
  'job.retrying': { job: entity('job') },
  'job.cancelled': { job: entity('job') },
  'file.uploaded': { file: entity('file') },
  'file.validated': { file: entity('file') },
  'file.updated': { file: entity('file') },
  'file.deleted': { file_id: id(), file_type: { ...text(), sample: 'document' } },
  'metrics.snapshot': { metrics: FREE_OBJECT },
  'system.notification': {
    room: { ...text(), optional: true, sample: undefined },
    data: FREE_OBJECT,
  },
  'room.message': {
    room: { ...text(), sample: 'room:sample' },
    data: { schema: { description: 'Any JSON value' }, sample: {} },
    from: {
      schema: obj({ id: str(), kind: str(), name: str(), socket_id: str() }, [
        'id',
        'kind',
        'name',
      ]),
      sample: { id: SAMPLE_ID, kind: 'user', name: 'sample' },
    },
  },
};

const SERVER_EVENT_SUMMARIES: Record<string, string> = {
  agent_update: 'An agent was created, changed, changed status or was deleted',
  agent_command: 'A command for the agent (start, stop, restart), in its room agent:<id>',
  task_update: 'A task was created, changed, assigned, made progress or was deleted',
  task_assigned: 'A task was assigned to the agent, in its room agent:<id>',
  workflow_update: 'A workflow definition, a run or a SubForge run changed',
  job_update: 'A background job changed state or made progress',
  file_update: 'A file was uploaded, validated, changed or deleted',
  metrics_update: 'A metrics snapshot, every METRICS_INTERVAL_SECONDS',
  system_notification: 'A system notification (to a room, or to system)',
  room_message: 'A message another member sent to a room',
};

interface ServerEvent {
  variants: Json[];
  rooms: Set<string>;
}

/** Runs every domain event through the routing: which socket events, rooms and `data` arise. */
function serverEvents(): Map<string, ServerEvent> {
  const events = new Map<string, ServerEvent>();
  for (const [name, fields] of Object.entries(DOMAIN_EVENT_FIELDS) as [
    DomainEventName,
    Record<string, Field>,
  ][]) {
    const sample = Object.fromEntries(
      Object.entries(fields)
        .filter(([, field]) => field.sample !== undefined)
        .map(([key, field]) => [key, field.sample]),
    );
    for (const routed of routeDomainEvent(name, sample as DomainEventMap[typeof name])) {
      const entry = events.get(routed.type) ?? { variants: [], rooms: new Set<string>() };
      events.set(routed.type, entry);
      for (const room of routed.rooms)
        entry.rooms.add(room.replace(SAMPLE_ID, '<id>').replace(/^room:.*/, 'room:<name>'));
      const dataEvent = String(routed.data.event);
      // What the routing puts in `data` besides the domain event's own fields.
      const routedFields = Object.keys(routed.data).filter(
        (key) => key !== 'event' && !(key in fields),
      );
      const properties: Json = { event: { type: 'string', const: dataEvent } };
      const required = ['event'];
      if (name === 'system.notification') {
        entry.variants.push({
          type: 'object',
          description: `${name}: the notification's own fields besides event`,
          properties,
          required,
          additionalProperties: true,
        });
        continue;
      }
      for (const key of Object.keys(routed.data)) {
        if (key === 'event') continue;
        const field = fields[key];
        if (!field) continue;
        properties[key] = field.schema;
        if (!field.optional) required.push(key);
      }
      for (const [key, field] of Object.entries(fields)) {
        if (key in properties || field.sample !== undefined) continue;
        properties[key] = field.schema;
      }
      entry.variants.push({
        type: 'object',
        title: `${routed.type} ${dataEvent}`,
        description: `From ${name}${routedFields.length ? ` (${routedFields.join(', ')})` : ''}`,
        properties,
        required,
      });
    }
  }
  return events;
}

/** Who may join each kind of room, asked of the room check itself. */
function roomRules(): Json[] {
  const principal = (role: Principal['role'], kind: Principal['kind'] = 'user'): Principal => ({
    kind,
    id: SAMPLE_ID,
    role,
    agentId: role === 'agent' ? SAMPLE_ID : null,
    userId: kind === 'user' ? SAMPLE_ID : null,
    name: role,
    expiresAt: null,
  });
  const who = [
    ...API_KEY_ROLES.filter((role) => role !== 'agent').map((role) => principal(role)),
    principal('agent', 'api_key'),
  ];
  const rooms = [
    'agents',
    'tasks',
    'workflows',
    'jobs',
    'files',
    'metrics',
    'system',
    'admin',
    `agent:${SAMPLE_ID}`,
    `task:${SAMPLE_ID}`,
    `workflow:${SAMPLE_ID}`,
    `run:${SAMPLE_ID}`,
    `job:${SAMPLE_ID}`,
    `user:${SAMPLE_ID}`,
    'room:sample',
  ];
  return rooms.map((room) => {
    const allowed = who.filter((p) => checkRoom(p, room).ok).map((p) => p.role);
    const own = room.includes(SAMPLE_ID);
    const other = room.replace(SAMPLE_ID, '11111111-1111-4111-8111-111111111111');
    const onlyOwn = own && who.some((p) => checkRoom(p, room).ok && !checkRoom(p, other).ok);
    return {
      room: room.replace(SAMPLE_ID, '<id>').replace('room:sample', 'room:<name>'),
      may_join: allowed,
      ...(onlyOwn ? { own_only: true } : {}),
    };
  });
}

interface ClientMessage {
  summary: string;
  payload: Json;
  example: unknown;
  /** The acknowledgement; without one, the answer is the server event `reply`. */
  ack?: Json;
  reply?: string;
  namespace: 'v2' | 'feed';
}

const ACK_ERROR = ref('AckError');
const ok = (properties: Json = {}, required = Object.keys(properties)): Json => ({
  oneOf: [
    obj({ ok: { type: 'boolean', const: true }, ...properties }, ['ok', ...required]),
    ACK_ERROR,
  ],
});

const CLIENT_MESSAGES: Record<string, ClientMessage> = {
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

const num = { type: 'number' };
const int = { type: 'integer' };
const enumOf = (values: string[]) => ({ type: 'string', enum: values });
const DASHBOARD_PRIORITY = enumOf(['low', 'medium', 'high']);
const counts = (names: string[]) => obj(Object.fromEntries(names.map((name) => [name, num])));

/**
 * Events of namespace / (the existing dashboard's feed, CONTRACT §4), keyed by the feed's own
 * event map: an event added to FeedEventMap without its schema here does not compile.
 */
const FEED_EVENTS: { [K in FeedEventName | 'pong']: { summary: string; payload: Json } } = {
  agent_status_update: {
    summary: 'An agent changed (or was deleted: {agentId, id, deleted: true})',
    payload: {
      oneOf: [
        obj({
          agentId: str(),
          id: str(),
          name: str(),
          type: nullable(str()),
          status: enumOf(['active', 'busy', 'idle', 'error']),
          lastActive: str('Relative time ("just now", "2 minutes ago")'),
          tasksCompleted: int,
          currentTask: nullable(str()),
          performance: counts(['successRate', 'avgResponseTime', 'totalTasks']),
        }),
        obj({ agentId: str(), id: str(), deleted: { const: true } }),
      ],
    },
  },
  task_update: {
    summary:
      'A task was created, changed or deleted: the home row flat, the board card in task (not on deletes)',
    payload: obj(
      {
        action: enumOf(['create', 'update', 'delete']),
        taskId: str(),
        id: str(),
        title: str(),
        agent: nullable(str()),
        status: enumOf(['pending', 'in_progress', 'completed', 'failed']),
        priority: DASHBOARD_PRIORITY,
        timestamp: str('Relative time'),
        duration: { ...num, description: 'Seconds' },
        task: obj(
          {
            id: str(),
            title: str(),
            description: str(),
            status: enumOf(['todo', 'in_progress', 'review', 'done']),
            priority: DASHBOARD_PRIORITY,
            agent: str(),
            assignee: str(),
            tags: { type: 'array', items: str() },
            createdAt: str(),
            updatedAt: str(),
            dueDate: str(),
            estimatedTime: int,
            actualTime: int,
            dependencies: { type: 'array', items: str() },
          },
          [
            'id',
            'title',
            'description',
            'status',
            'priority',
            'tags',
            'createdAt',
            'updatedAt',
            'dependencies',
          ],
        ),
      },
      ['action', 'taskId', 'id', 'title', 'status', 'priority', 'timestamp'],
    ),
  },
  workflow_event: {
    summary: 'A workflow, run or SubForge run changed',
    payload: obj({
      workflowId: nullable(str()),
      runId: nullable(str()),
      event: str(),
      status: nullable(str()),
      progress: nullable(num),
    }),
  },
  system_metrics_update: {
    summary: 'The metrics snapshot',
    payload: { type: 'object', additionalProperties: true },
  },
  dashboard_update: {
    summary: 'The dashboard figures, complete',
    payload: obj({
      agents: counts(['total', 'active', 'idle', 'error']),
      tasks: counts(['completed', 'pending', 'failed', 'total']),
      system: counts(['uptime', 'cpu', 'memory', 'connections']),
    }),
  },
  system_alert: {
    summary: 'A system notification sent without a room or to system',
    payload: { type: 'object', additionalProperties: true },
  },
  pong: {
    summary: 'The answer to ping',
    payload: obj({ timestamp: str() }),
  },
};

/** OpenAPI 3.0 schemas (`nullable`, `example`) as the JSON Schema AsyncAPI speaks. */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (key === 'nullable') continue;
    if (key === 'example') out.examples = [value];
    else if (key === 'properties')
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    else out[key] = toJsonSchema(value);
  }
  return (schema as Json).nullable ? nullable(out) : out;
}

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

const message = (name: string, summary: string, payload: Json, example?: unknown): Json => ({
  name,
  title: name,
  summary,
  payload,
  ...(example !== undefined ? { examples: [{ name: 'example', payload: example }] } : {}),
});

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

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'SubForge Dashboard API: Socket.IO',
      version,
      description:
        'Socket.IO (path /socket.io) namespaces `/v2` (rooms, durable history, replay) and `/` ' +
        '(the existing dashboard feed). Authenticate at the handshake with `auth.token` (a JWT or ' +
        'API key); refused handshakes fail with `connect_error` "unauthorized". Every server event ' +
        'of /v2 comes in the envelope {id, type, rooms, data, timestamp}. Each client message is ' +
        'sent with an acknowledgement callback (the reply of its operation). Try it at /docs/socket; ' +
        'the REST API is at /docs.',
    },
    defaultContentType: 'application/json',
    servers: {
      app: {
        host: '{host}',
        protocol: 'ws',
        pathname: '/socket.io',
        description: 'This service (Socket.IO over WebSocket or HTTP long-polling)',
        variables: { host: { default: 'localhost:3000' } },
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
        messages: feedMessages,
        'x-handshake-auth': ref('HandshakeAuth'),
      },
    },
    operations,
    components: { schemas },
  };
}
