/**
 * The domain events services publish. Only the realtime module knows how they
 * become history rows and Socket.IO emits (event-routing.ts); services only say
 * what happened, with the entity in its v2 representation.
 */

/** The fields routing needs; the rest of the v2 representation travels as is. */
export interface EntityView {
  id: string;
}

export interface TaskView extends EntityView {
  run_id?: string | null;
  workflow_id?: string | null;
  assigned_agent?: { id: string; name?: string } | null;
}

export interface RunView extends EntityView {
  workflow_id: string;
}

/** A SubForge run as listed by `/api/subforge/workflows` (its id is the directory name). */
export interface SubforgeWorkflowView {
  workflow_id: string;
  status: string;
  progress_percentage: number;
}

export type AgentCommand = 'start' | 'stop' | 'restart';

export interface DomainEventMap {
  'agent.created': { agent: EntityView };
  'agent.updated': { agent: EntityView };
  'agent.status_changed': { agent: EntityView; previous_status: string };
  'agent.configuration_updated': { agent: EntityView };
  'agent.deleted': { agent_id: string };
  'agent.command': { agent_id: string; command: AgentCommand; parameters: Record<string, unknown> };

  'task.created': { task: TaskView };
  'task.updated': { task: TaskView };
  'task.status_changed': { task: TaskView; previous_status: string };
  'task.progress': { task: TaskView; message?: string | null };
  'task.assigned': {
    task: TaskView;
    run_id: string | null;
    step_key: string | null;
    attempt: number;
  };
  'task.ready': { task: TaskView };
  'task.blocked': { task: TaskView; blocked_by: string[] };
  'task.deleted': {
    task_id: string;
    run_id?: string | null;
    workflow_id?: string | null;
    agent_id?: string | null;
    /** The task as it was just before the deletion. */
    task?: TaskView;
  };

  'workflow.created': { workflow: EntityView };
  'workflow.updated': { workflow: EntityView };
  'workflow.deleted': { workflow_id: string };

  'run.started': { run: RunView };
  'run.progress': { run: RunView };
  'run.paused': { run: RunView };
  'run.resumed': { run: RunView };
  'run.completed': { run: RunView };
  'run.failed': { run: RunView };
  'run.cancelled': { run: RunView };
  'run.updated': { run: RunView };
  /** Steps whose reason for waiting for an agent changed (null: no longer waiting). */
  'run.waiting': {
    run: RunView;
    steps: {
      key: string;
      task_id: string;
      waiting_reason: string | null;
      waiting_detail: string | null;
    }[];
  };
  'run.deleted': { run_id: string; workflow_id: string };

  'subforge.created': { workflow: SubforgeWorkflowView };
  'subforge.updated': { workflow: SubforgeWorkflowView };
  'subforge.deleted': { workflow: SubforgeWorkflowView };
  'subforge.scan_completed': {
    scan_type: 'force' | 'incremental';
    status: 'completed' | 'failed';
    discovered_count: number;
    workflows: string[];
    error?: string;
  };

  'job.created': { job: EntityView };
  'job.started': { job: EntityView };
  'job.progress': { job: EntityView };
  'job.completed': { job: EntityView };
  'job.failed': { job: EntityView };
  'job.retrying': { job: EntityView };
  'job.cancelled': { job: EntityView };

  'file.uploaded': { file: EntityView };
  'file.validated': { file: EntityView };
  'file.updated': { file: EntityView };
  'file.deleted': { file_id: string };

  'metrics.snapshot': { metrics: Record<string, unknown> };

  'system.notification': { room?: string; data: Record<string, unknown> };
  'room.message': {
    room: string;
    data: unknown;
    from: { id: string; kind: string; name: string; socket_id?: string };
  };
}

export type DomainEventName = keyof DomainEventMap;
