import type { CacheFamily } from '../common/cache/cached.decorator.js';
import type { DomainEventMap, DomainEventName, TaskView } from './domain-events.js';

/** One server event on namespace /v2: what is stored in history and emitted. */
export interface RoutedEvent {
  /** The Socket.IO event name (`task_update`, `agent_command`, ...). */
  type: string;
  rooms: string[];
  data: Record<string, unknown>;
}

const action = (name: string) => name.slice(name.indexOf('.') + 1);

function taskRooms(
  task: { id: string; run_id?: string | null; workflow_id?: string | null },
  agentId?: string | null,
) {
  const rooms = ['tasks', `task:${task.id}`];
  if (task.run_id) rooms.push(`run:${task.run_id}`);
  if (task.workflow_id) rooms.push(`workflow:${task.workflow_id}`);
  if (agentId) rooms.push(`agent:${agentId}`);
  return rooms;
}

/** CONTRACT §4: which event, in which rooms, with which data, for each domain event. */
export function routeDomainEvent<K extends DomainEventName>(
  name: K,
  payload: DomainEventMap[K],
): RoutedEvent[] {
  const event = action(name);
  const p = payload as Record<string, unknown>;
  switch (name.slice(0, name.indexOf('.'))) {
    case 'agent': {
      if (name === 'agent.command') {
        const command = payload as DomainEventMap['agent.command'];
        return [
          {
            type: 'agent_command',
            rooms: [`agent:${command.agent_id}`],
            data: { event: 'command', command: command.command, parameters: command.parameters },
          },
        ];
      }
      const id = (p.agent as { id: string } | undefined)?.id ?? (p.agent_id as string);
      return [{ type: 'agent_update', rooms: ['agents', `agent:${id}`], data: { event, ...p } }];
    }
    case 'task': {
      if (name === 'task.deleted') {
        const deleted = payload as DomainEventMap['task.deleted'];
        return [
          {
            type: 'task_update',
            rooms: taskRooms(
              { id: deleted.task_id, run_id: deleted.run_id, workflow_id: deleted.workflow_id },
              deleted.agent_id,
            ),
            data: { event, ...p },
          },
        ];
      }
      const task = p.task as TaskView;
      const routed: RoutedEvent[] = [
        {
          type: 'task_update',
          rooms: taskRooms(task, task.assigned_agent?.id),
          data: { event, ...p },
        },
      ];
      if (name === 'task.assigned' && task.assigned_agent) {
        routed.push({
          type: 'task_assigned',
          rooms: [`agent:${task.assigned_agent.id}`],
          data: { event: 'assigned', ...p },
        });
      }
      return routed;
    }
    case 'workflow': {
      const id = (p.workflow as { id: string } | undefined)?.id ?? (p.workflow_id as string);
      return [
        { type: 'workflow_update', rooms: ['workflows', `workflow:${id}`], data: { event, ...p } },
      ];
    }
    case 'run': {
      const run = p.run as { id: string; workflow_id: string } | undefined;
      const runId = run?.id ?? (p.run_id as string);
      const workflowId = run?.workflow_id ?? (p.workflow_id as string);
      return [
        {
          type: 'workflow_update',
          rooms: ['workflows', `workflow:${workflowId}`, `run:${runId}`],
          data: { event: `run_${event}`, ...p },
        },
      ];
    }
    case 'subforge': {
      // SubForge runs are known by their directory name, in the rooms workflows use.
      const id = (p.workflow as { workflow_id: string } | undefined)?.workflow_id;
      return [
        {
          type: 'workflow_update',
          rooms: id ? ['workflows', `workflow:${id}`] : ['workflows'],
          data: { event: `subforge_${event}`, ...p },
        },
      ];
    }
    case 'job': {
      const job = p.job as { id: string };
      return [{ type: 'job_update', rooms: ['jobs', `job:${job.id}`], data: { event, ...p } }];
    }
    case 'file': {
      // Backups hold the whole database: even their metadata is for admins only.
      // (A deletion names the type for routing only; its data stays `{event, file_id}`.)
      const { file_type: deletedType, ...data } = p;
      const type = (p.file as { file_type?: string } | undefined)?.file_type ?? deletedType;
      const rooms = type === 'backups' ? ['admin'] : ['files'];
      return [{ type: 'file_update', rooms, data: { event, ...data } }];
    }
    case 'metrics':
      return [{ type: 'metrics_update', rooms: ['metrics'], data: { event, ...p } }];
    case 'system': {
      const notification = payload as DomainEventMap['system.notification'];
      return [
        {
          type: 'system_notification',
          rooms: [notification.room ?? 'system'],
          data: { event, ...notification.data },
        },
      ];
    }
    case 'room': {
      const message = payload as DomainEventMap['room.message'];
      return [
        {
          type: 'room_message',
          rooms: [message.room],
          data: { event: 'message', room: message.room, data: message.data, from: message.from },
        },
      ];
    }
    default:
      return [];
  }
}

/** Which cached reads a domain event makes stale. */
export function cacheFamiliesOf(name: DomainEventName): CacheFamily[] {
  switch (name.slice(0, name.indexOf('.'))) {
    case 'agent':
      return ['agents', 'tasks'];
    case 'task':
      return ['tasks', 'agents', 'workflows'];
    case 'workflow':
    case 'run':
      return ['workflows', 'tasks'];
    case 'subforge':
      return ['subforge'];
    case 'job':
      return ['jobs'];
    case 'file':
      return ['files'];
    case 'metrics':
      return ['system'];
    default:
      return ['websocket'];
  }
}
