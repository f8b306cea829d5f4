import { FINISHED_RUN_STATUSES, type RunStatus } from '../workflows/run-state.js';
import { TERMINAL_STATUSES, type TaskStatus } from '../tasks/task-state.js';
import type { PhaseStatus, SubforgeStatus, WorkflowContext } from './context.js';

/**
 * How a SubForge context becomes a workflow run: its phases and its tasks are the
 * run's steps, with their states as SubForge reports them. Pure.
 */

export interface MappedStep {
  key: string;
  name: string;
  status: TaskStatus;
  depends_on: string[];
  /** The SubForge agent's name, resolved to one of our agents by the importer. */
  agent_name: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  error: string | null;
}

export interface MappedRun {
  status: RunStatus;
  started_at: Date | null;
  completed_at: Date | null;
  error: string | null;
  steps: MappedStep[];
}

const RUN_STATUS: Record<SubforgeStatus, RunStatus> = {
  active: 'running',
  completed: 'completed',
  failed: 'failed',
  paused: 'paused',
  cancelled: 'cancelled',
};

const PHASE_STATUS: Record<PhaseStatus, TaskStatus> = {
  pending: 'pending',
  in_progress: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  skipped: 'cancelled',
};

/** SubForge's task statuses are free text; these are the words it and its agents use. */
const TASK_STATUS: Record<string, TaskStatus> = {
  pending: 'pending',
  todo: 'pending',
  queued: 'pending',
  in_progress: 'in_progress',
  running: 'in_progress',
  active: 'in_progress',
  review: 'in_progress',
  completed: 'completed',
  done: 'completed',
  success: 'completed',
  failed: 'failed',
  error: 'failed',
  blocked: 'blocked',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  skipped: 'cancelled',
};

const MAX_KEY = 100;

/** Step keys allow letters, digits, `_`, `.` and `-`, at most 100 characters, unique. */
function keyMaker(): (prefix: string, raw: string) => string {
  const used = new Set<string>();
  return (prefix, raw) => {
    const base = `${prefix}.${raw.replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, MAX_KEY);
    let key = base;
    for (let n = 2; used.has(key); n++)
      key = `${base.slice(0, MAX_KEY - 1 - String(n).length)}-${n}`;
    used.add(key);
    return key;
  };
}

const date = (value: string | null): Date | null => (value ? new Date(value) : null);

export function mapRun(context: WorkflowContext): MappedRun {
  const key = keyMaker();
  const steps: MappedStep[] = Object.entries(context.phase_results).map(([name, phase]) => {
    const status = PHASE_STATUS[phase.status];
    return {
      key: key('phase', name),
      name: `Phase: ${phase.phase}`.slice(0, 500),
      status,
      depends_on: [],
      agent_name: null,
      started_at: date(phase.start_time),
      completed_at: TERMINAL_STATUSES.includes(status) ? date(phase.end_time) : null,
      error: phase.errors.length ? phase.errors.join('; ').slice(0, 10_000) : null,
    };
  });
  const taskKeys = new Map(context.tasks.map((task) => [task.id, key('task', task.id)]));
  for (const task of context.tasks) {
    const status = TASK_STATUS[task.status.toLowerCase()] ?? 'pending';
    steps.push({
      key: taskKeys.get(task.id)!,
      name: task.title.slice(0, 500),
      status,
      // Dependencies on tasks the file does not hold are SubForge's business, not a step of ours.
      depends_on: [
        ...new Set(
          task.dependencies
            .filter((id) => id !== task.id && taskKeys.has(id))
            .map((id) => taskKeys.get(id)!),
        ),
      ],
      agent_name: task.assigned_agent,
      started_at: status === 'pending' ? null : date(task.created_at),
      completed_at: TERMINAL_STATUSES.includes(status)
        ? date(task.completed_at ?? task.updated_at)
        : null,
      error: null,
    });
  }
  const status = RUN_STATUS[context.status];
  const finished = FINISHED_RUN_STATUSES.includes(status);
  const phaseErrors = Object.values(context.phase_results).flatMap((phase) =>
    phase.errors.map((error) => `${phase.phase}: ${error}`),
  );
  return {
    status,
    started_at: date(context.created_at),
    completed_at: finished ? date(context.completed_at ?? context.updated_at) : null,
    error: status === 'failed' ? phaseErrors.join('; ').slice(0, 10_000) || 'failed' : null,
    steps,
  };
}
