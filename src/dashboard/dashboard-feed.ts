import type { EventEnvelope } from '../realtime/event-envelope.js';
import {
  boardStatus,
  type BoardStatus,
  dashboardAgentStatus,
  type DashboardAgentStatus,
  dashboardPriority,
  type DashboardPriority,
  recentTaskStatus,
  type RecentTaskStatus,
  relativeTime,
} from './dashboard-vocabulary.js';

/*
 * Namespace / (the existing SubForge dashboard's feed): every event name and payload
 * shape, in one place (CONTRACT §4; reference/dashboard-client.md §2–§9). The REST
 * routes of the dashboard build their rows with the same functions.
 */

/** `agent_status_update`, and a row of `GET /api/agents`. */
export interface DashboardAgentRow {
  agentId: string;
  id: string;
  name: string;
  type: string;
  status: DashboardAgentStatus;
  /** A display string ("2 minutes ago"). */
  lastActive: string;
  tasksCompleted: number;
  currentTask: string | null;
}

/** An agent's figures on the `/agents` page (`GET /api/agents/detailed`). */
export interface DashboardPerformance {
  /** Percent 0–100. */
  successRate: number;
  /** Seconds, rounded to 0.1. */
  avgResponseTime: number;
  totalTasks: number;
}

/** `agent_status_update`: the row, and the figures complete (the page replaces them whole). */
export interface AgentStatusUpdatePayload extends DashboardAgentRow {
  performance: DashboardPerformance;
}

/** A card of the task board (`GET /api/tasks`, `task_update.task`). */
export interface BoardTask {
  id: string;
  title: string;
  description: string;
  status: BoardStatus;
  priority: DashboardPriority;
  agent?: string;
  assignee?: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  dueDate?: string;
  /** Minutes, integer. */
  estimatedTime?: number;
  /** Minutes, integer; on a task in progress with an estimate, the estimate × its progress. */
  actualTime?: number;
  dependencies: string[];
}

/** A row of the home page's Recent Tasks (`GET /api/tasks/recent`, flat in `task_update`). */
export interface RecentTaskRow {
  id: string;
  title: string;
  agent: string;
  status: RecentTaskStatus;
  priority: DashboardPriority;
  /** A display string ("5 minutes ago"). */
  timestamp: string;
  /** Seconds from start to end, rounded to 0.1. */
  duration?: number;
}

export type TaskAction = 'create' | 'update' | 'delete';

/** `task_update`: one payload for the task board (`action`, `task`) and the home row (flat). */
export interface TaskUpdatePayload extends RecentTaskRow {
  action: TaskAction;
  taskId: string;
  /** The board card, on create and update. */
  task?: BoardTask;
}

export interface WorkflowEventPayload {
  workflowId: string | null;
  runId: string | null;
  event: string;
  status: string | null;
  progress: number | null;
}

/** `dashboard_update` and `GET /api/dashboard/overview`: always complete. */
export interface DashboardOverview {
  agents: { total: number; active: number; idle: number; error: number };
  tasks: { completed: number; pending: number; failed: number; total: number };
  system: { uptime: number; cpu: number; memory: number; connections: number };
}

/** Every event namespace / sends, with its payload. */
export interface FeedEventMap {
  agent_status_update: AgentStatusUpdatePayload | { agentId: string; id: string; deleted: true };
  task_update: TaskUpdatePayload;
  workflow_event: WorkflowEventPayload;
  system_metrics_update: Record<string, unknown>;
  system_alert: Record<string, unknown>;
  dashboard_update: DashboardOverview;
}

export type FeedEventName = keyof FeedEventMap;

/** An event for namespace /, with the entity it is about (what pacing coalesces on). */
export type FeedEvent = {
  [K in FeedEventName]: { event: K; key: string; payload: FeedEventMap[K] };
}[FeedEventName];

// Event data is the v2 JSON of an entity; this mapping reads it loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Seconds, rounded to 0.1 (the dashboard's unit for durations and response times). */
export const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function dashboardAgent(agent: Json): DashboardAgentRow {
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

export function dashboardPerformance(agent: Json): DashboardPerformance {
  const metrics = (agent.performance_metrics ?? {}) as Json;
  return {
    successRate: metrics.success_rate ?? 0,
    avgResponseTime: seconds(metrics.avg_response_time ?? 0),
    totalTasks: (metrics.tasks_completed ?? 0) + (metrics.tasks_failed ?? 0),
  };
}

/** The board's minutes: the estimate, and the time spent (or, in progress, the share done). */
function boardTimes(task: Json): Pick<BoardTask, 'estimatedTime' | 'actualTime'> {
  const estimate = task.time_tracking?.estimated_duration_minutes as number | null | undefined;
  const actual = task.time_tracking?.actual_duration_minutes as number | null | undefined;
  const percentage = task.progress?.percentage as number | null | undefined;
  const times: Pick<BoardTask, 'estimatedTime' | 'actualTime'> = {};
  if (estimate != null) times.estimatedTime = Math.round(estimate);
  // The board's only progress indicator is actualTime / estimatedTime on cards in progress.
  if (task.status === 'in_progress' && estimate && percentage != null)
    times.actualTime = Math.round((estimate * percentage) / 100);
  else if (actual != null) times.actualTime = Math.round(actual);
  return times;
}

export function dashboardTask(task: Json): BoardTask {
  const agent = (task.assigned_agent?.name as string | undefined) ?? undefined;
  return {
    id: task.id,
    title: task.title,
    description: task.description ?? '',
    status: boardStatus(String(task.status)),
    priority: dashboardPriority(String(task.priority)),
    ...(agent ? { agent, assignee: agent } : {}),
    tags: task.tags ?? [],
    createdAt: task.created_at,
    updatedAt: task.updated_at,
    ...(task.due_date ? { dueDate: task.due_date } : {}),
    ...boardTimes(task),
    dependencies: task.dependencies ?? [],
  };
}

export function recentTaskRow(task: Json): RecentTaskRow {
  const startedAt = task.time_tracking?.started_at as string | null | undefined;
  const completedAt = task.time_tracking?.completed_at as string | null | undefined;
  return {
    id: task.id,
    title: task.title,
    agent: task.assigned_agent?.name ?? 'Unassigned',
    status: recentTaskStatus(String(task.status)),
    priority: dashboardPriority(String(task.priority)),
    timestamp: relativeTime(task.updated_at),
    ...(startedAt && completedAt
      ? { duration: seconds(Date.parse(completedAt) - Date.parse(startedAt)) }
      : {}),
  };
}

const TASK_ACTIONS: Record<string, TaskAction> = { created: 'create', deleted: 'delete' };

function taskUpdate(data: Json): TaskUpdatePayload | null {
  const action = TASK_ACTIONS[data.event as string] ?? 'update';
  // A deletion carries the task as it last was (the home page keeps showing that row).
  const task = data.task as Json | undefined;
  if (!task) return null;
  return {
    action,
    taskId: task.id,
    ...(action === 'delete' ? {} : { task: dashboardTask(task) }),
    ...recentTaskRow(task),
  };
}

/**
 * CONTRACT §4, namespace /: every agent, task and workflow change as the dashboard's
 * events; metrics and notifications too; nothing about jobs, files, users or rooms.
 * `key` names what the event is about, so that pacing keeps only the newest of each.
 */
export function toFeedEvents(envelope: EventEnvelope): FeedEvent[] {
  const data = envelope.data as Json;
  switch (envelope.type) {
    case 'agent_update': {
      if (data.event === 'deleted') {
        return [
          {
            event: 'agent_status_update',
            key: `agent:${data.agent_id}`,
            payload: { agentId: data.agent_id, id: data.agent_id, deleted: true },
          },
        ];
      }
      const payload = {
        ...dashboardAgent(data.agent),
        performance: dashboardPerformance(data.agent),
      };
      return [{ event: 'agent_status_update', key: `agent:${payload.id}`, payload }];
    }
    case 'task_update': {
      const payload = taskUpdate(data);
      return payload ? [{ event: 'task_update', key: `task:${payload.taskId}`, payload }] : [];
    }
    case 'workflow_update': {
      const subject = (data.run ?? data.workflow ?? {}) as Json;
      return [
        {
          event: 'workflow_event',
          // The dashboard refetches its list on any workflow_event: one pending is enough.
          key: 'workflow_event',
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
      return [
        {
          event: 'system_metrics_update',
          key: 'system_metrics_update',
          payload: data.metrics ?? {},
        },
      ];
    case 'system_notification':
      // Only notifications meant for everyone: `/` has no rooms (and may be anonymous).
      if (!envelope.rooms.every((room) => room === 'system')) return [];
      return [
        {
          event: 'system_alert',
          key: 'system_alert',
          payload: { ...data, timestamp: envelope.timestamp },
        },
      ];
    default:
      return [];
  }
}
