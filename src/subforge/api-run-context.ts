import type { TaskStatus } from '../tasks/task-state.js';
import type { RunStatus } from '../workflows/run-state.js';
import type {
  AgentTemplate,
  PhaseResult,
  PhaseStatus,
  SubforgeStatus,
  SubforgeTask,
  WorkflowContext,
} from './context.js';

/**
 * A run started over REST or v1 `execute`, in SubForge's shapes, so that the
 * dashboard's `/api/subforge/*` pages show it beside the imported runs: the run is a
 * workflow whose id and `project_id` are the run id, each step is a phase and a task,
 * in execution order (started steps by start time, then the others in the order of the
 * definition). Pure.
 */

export interface ApiRunRow {
  id: string;
  workflow_id: string;
  run_number: number;
  status: RunStatus;
  name: string;
  description: string | null;
  parameters: Record<string, unknown>;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface ApiStepRow {
  run_id: string;
  step_key: string;
  name: string;
  depends_on: string[];
  task_id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: string;
  tags: string[];
  error: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  agent_name: string | null;
  agent_type: string | null;
  agent_model: string | null;
  agent_tools: string[] | null;
}

const RUN_STATUS: Record<RunStatus, SubforgeStatus> = {
  scheduled: 'active',
  running: 'active',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

const PHASE_STATUS: Record<TaskStatus, PhaseStatus> = {
  pending: 'pending',
  blocked: 'pending',
  in_progress: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'skipped',
};

/** SubForge priorities are numbers, 1 the lowest. */
const PRIORITY: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);
const seconds = (from: Date | null, to: Date | null) =>
  from && to ? Math.round((new Date(to).getTime() - new Date(from).getTime()) / 100) / 10 : null;

export function apiRunStatus(status: RunStatus): SubforgeStatus {
  return RUN_STATUS[status];
}

/** The phase names: the step names, with the key added where two steps share one. */
function phaseNames(steps: ApiStepRow[]): string[] {
  const count = new Map<string, number>();
  for (const step of steps) count.set(step.name, (count.get(step.name) ?? 0) + 1);
  return steps.map((step) =>
    count.get(step.name)! > 1 ? `${step.name} (${step.step_key})` : step.name,
  );
}

export function apiRunContext(run: ApiRunRow, steps: ApiStepRow[]): WorkflowContext {
  const names = phaseNames(steps);
  const taskIds = new Map(steps.map((step) => [step.step_key, step.task_id]));
  const phases: [string, PhaseResult][] = steps.map((step, index) => [
    names[index],
    {
      phase: names[index],
      status: PHASE_STATUS[step.status],
      duration: seconds(step.started_at, step.completed_at),
      start_time: iso(step.started_at),
      end_time: iso(step.completed_at),
      outputs: { task_id: step.task_id },
      errors: step.error ? [step.error] : [],
      warnings: [],
      metadata: { step_key: step.step_key, task_id: step.task_id },
    },
  ]);
  const tasks: SubforgeTask[] = steps.map((step, index) => ({
    id: step.task_id,
    title: step.title,
    description: step.description,
    status: step.status,
    priority: PRIORITY[step.priority] ?? 2,
    phase: names[index],
    assigned_agent: step.agent_name,
    created_at: iso(step.created_at),
    updated_at: iso(step.updated_at),
    completed_at: iso(step.completed_at),
    duration: seconds(step.started_at, step.completed_at),
    dependencies: step.depends_on.map((key) => taskIds.get(key)).filter((id) => id !== undefined),
    tags: step.tags,
    metadata: { step_key: step.step_key },
  }));
  const agents = new Map<string, AgentTemplate>();
  for (const step of steps) {
    if (!step.agent_name || agents.has(step.agent_name)) continue;
    agents.set(step.agent_name, {
      name: step.agent_name,
      role: step.agent_type,
      specialization: null,
      domain: null,
      description: null,
      tools: step.agent_tools ?? [],
      model: step.agent_model ?? '',
      priority: 1,
      execution_instructions: null,
      context_requirements: [],
    });
  }
  const completed = steps.filter((step) => step.status === 'completed').length;
  const failed = steps.filter((step) => step.status === 'failed').length;
  return {
    project_id: run.id,
    user_request: run.description ? `${run.name}: ${run.description}` : run.name,
    project_path: null,
    communication_dir: null,
    status: apiRunStatus(run.status),
    created_at: iso(run.created_at),
    updated_at: iso(run.updated_at),
    completed_at: iso(run.completed_at),
    phase_results: Object.fromEntries(phases),
    project_profile: null,
    recommended_agents: [],
    deployed_agents: [...agents.values()],
    tasks,
    agent_activities: [],
    total_phases: steps.length,
    completed_phases: completed,
    failed_phases: failed,
    // As the run's own progress: a run without steps is done.
    progress_percentage: steps.length ? Math.round((completed / steps.length) * 10_000) / 100 : 100,
    metadata: {
      source: 'api',
      workflow_id: run.workflow_id,
      run_id: run.id,
      run_number: run.run_number,
      started_at: iso(run.started_at),
      error: run.error,
    },
    configuration: { parameters: run.parameters },
  };
}
