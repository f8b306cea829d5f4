import type { EventEnvelope } from './event.entity.js';
import {
  boardStatus,
  dashboardAgentStatus,
  dashboardPriority,
  relativeTime,
} from './dashboard-vocabulary.js';

/** An event on namespace / (the existing dashboard's feed). */
export interface FeedEvent {
  event:
    | 'agent_status_update'
    | 'task_update'
    | 'workflow_event'
    | 'system_metrics_update'
    | 'system_alert';
  payload: Record<string, unknown>;
}

// Event data is the v2 JSON of an entity; this mapping reads it loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

export function dashboardAgent(agent: Json): Json {
  return {
    agentId: agent.id,
    id: agent.id,
    name: agent.name,
    type: agent.agent_type,
    status: dashboardAgentStatus(String(agent.status)),
    lastActive: relativeTime(agent.last_activity ?? agent.last_heartbeat ?? agent.updated_at),
    tasksCompleted: agent.performance_metrics?.tasks_completed ?? 0,
    currentTask: agent.current_task?.title ?? null,
  };
}

export function dashboardTask(task: Json): Json {
  return {
    id: task.id,
    title: task.title,
    description: task.description ?? '',
    status: boardStatus(String(task.status)),
    priority: dashboardPriority(String(task.priority)),
    agent: task.assigned_agent?.name ?? null,
    tags: task.tags ?? [],
    createdAt: task.created_at,
    updatedAt: task.updated_at,
    dueDate: task.due_date ?? null,
    dependencies: task.dependencies ?? [],
  };
}

const TASK_ACTIONS: Record<string, 'create' | 'update' | 'delete'> = {
  created: 'create',
  deleted: 'delete',
};

/**
 * CONTRACT §4, namespace /: every agent, task and workflow change as the dashboard's
 * events; metrics and notifications too; nothing about jobs, files, users or rooms.
 */
export function toFeedEvents(envelope: EventEnvelope): FeedEvent[] {
  const data = envelope.data as Json;
  switch (envelope.type) {
    case 'agent_update':
      if (data.event === 'deleted') {
        return [
          {
            event: 'agent_status_update',
            payload: { agentId: data.agent_id, id: data.agent_id, deleted: true },
          },
        ];
      }
      return [{ event: 'agent_status_update', payload: dashboardAgent(data.agent) }];
    case 'task_update': {
      const action = TASK_ACTIONS[data.event as string] ?? 'update';
      if (action === 'delete')
        return [{ event: 'task_update', payload: { action, taskId: data.task_id } }];
      return [
        {
          event: 'task_update',
          payload: { action, taskId: data.task.id, task: dashboardTask(data.task) },
        },
      ];
    }
    case 'workflow_update': {
      const subject = (data.run ?? data.workflow ?? {}) as Json;
      return [
        {
          event: 'workflow_event',
          payload: {
            workflowId: subject.workflow_id ?? subject.id ?? data.workflow_id ?? null,
            runId: data.run?.id ?? data.run_id ?? null,
            event: data.event,
            status: subject.status ?? data.status ?? (data.event === 'deleted' ? 'deleted' : null),
            progress: subject.progress ?? subject.progress_percentage ?? null,
          },
        },
      ];
    }
    case 'metrics_update':
      return [{ event: 'system_metrics_update', payload: data.metrics ?? {} }];
    case 'system_notification':
      // Only notifications meant for everyone: `/` has no rooms (and may be anonymous).
      if (!envelope.rooms.every((room) => room === 'system')) return [];
      return [{ event: 'system_alert', payload: { ...data, timestamp: envelope.timestamp } }];
    default:
      return [];
  }
}
