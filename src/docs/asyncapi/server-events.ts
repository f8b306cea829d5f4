import type { Principal } from '../../auth/principal.js';
import { API_KEY_ROLES } from '../../auth/roles.js';
import { AgentResponseDto } from '../../agents/dto/agent.dto.js';
import { FileInfoDto } from '../../files/dto/file.dto.js';
import { JobResponseDto } from '../../jobs/dto/jobs.dto.js';
import type { DomainEventMap, DomainEventName } from '../../realtime/domain-events.js';
import { routeDomainEvent } from '../../realtime/event-routing.js';
import { checkRoom, COLLECTIONS, ENTITY_KINDS } from '../../realtime/rooms.js';
import { TaskResponseDto } from '../../tasks/dto/task.dto.js';
import { RunResponseDto } from '../../workflows/dto/run.dto.js';
import { WorkflowResponseDto } from '../../workflows/dto/workflow.dto.js';
import { type Json, nullable, obj, ref, SAMPLE_ID, str } from './schema.js';

/**
 * The server events of namespace /v2 (and of /ws/v2 and SSE), from the domain event map run
 * through the real routing, and the room rules asked of the room check itself.
 */
const SAMPLE_ENTITY = {
  id: SAMPLE_ID,
  workflow_id: SAMPLE_ID,
  run_id: SAMPLE_ID,
  assigned_agent: { id: SAMPLE_ID },
};

/** An entity of a domain event: its v2 representation (the REST DTO). */
export const ENTITY_DTOS = {
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
export const RUN_EVENT_VIEW = 'RunEventView';
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

export const SERVER_EVENT_SUMMARIES: Record<string, string> = {
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
export function serverEvents(): Map<string, ServerEvent> {
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
export function roomRules(): Json[] {
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
    ...COLLECTIONS,
    'admin',
    ...ENTITY_KINDS.map((kind) => `${kind}:${SAMPLE_ID}`),
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
