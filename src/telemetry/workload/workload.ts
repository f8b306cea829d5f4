import { AGENT_STATUSES } from '../../agents/agent-status.js';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../tasks/task-state.js';
import { RUN_STATUSES } from '../../workflows/run-state.js';
import { WORKFLOW_STATUSES } from '../../workflows/dto/workflow.dto.js';
import { rate } from '../../common/resources.js';
import { round } from '../../common/resources.js';
import type { V1SystemTaskMetricsDto, WorkloadFiguresDto } from '../dto/workload.dto.js';

/** One group of a `GROUP BY`: its key (null for rows without one) and how many rows. */
export interface CountRow {
  key: string | null;
  count: number;
}

/** Tasks of one status, and how many of them are assigned to an agent. */
export interface TaskStatusRow {
  status: string;
  count: number;
  assigned: number;
}

/**
 * Counts per key with every known key present (zero when absent); keys the data
 * holds beyond those (values from an older version) are kept, never dropped.
 */
export function countsBy(
  known: readonly string[],
  rows: CountRow[],
  nullKey = 'unspecified',
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(known.map((key) => [key, 0]));
  for (const row of rows) {
    const key = row.key ?? nullKey;
    counts[key] = (counts[key] ?? 0) + Number(row.count);
  }
  return counts;
}

const total = (counts: Record<string, number>) =>
  Object.values(counts).reduce((sum, count) => sum + count, 0);

export function toWorkloadFigures(
  agentRows: CountRow[],
  taskRows: TaskStatusRow[],
  workflowRows: CountRow[],
  runRows: CountRow[],
): WorkloadFiguresDto {
  const agents = countsBy(AGENT_STATUSES, agentRows);
  const tasks = countsBy(
    TASK_STATUSES,
    taskRows.map((row) => ({ key: row.status, count: row.count })),
  );
  const assigned = (status: string) =>
    Number(taskRows.find((row) => row.status === status)?.assigned ?? 0);
  return {
    agents: { total: total(agents), by_status: agents },
    tasks: {
      total: total(tasks),
      by_status: tasks,
      success_rate: rate(tasks.completed, tasks.completed + tasks.failed),
      agent_success_rate: rate(assigned('completed'), assigned('completed') + assigned('failed')),
      finished_on_agents: assigned('completed') + assigned('failed'),
    },
    workflows: workflowFigures(workflowRows, runRows),
  };
}

/** Workflows by the status they show, runs by status. */
function workflowFigures(
  workflowRows: CountRow[],
  runRows: CountRow[],
): WorkloadFiguresDto['workflows'] {
  const workflows = countsBy(WORKFLOW_STATUSES, workflowRows);
  const runs = countsBy(RUN_STATUSES, runRows);
  const finished = runs.completed + runs.failed;
  return {
    total: total(workflows),
    by_status: workflows,
    runs: {
      total: total(runs),
      by_status: runs,
      success_rate: finished ? rate(runs.completed, finished) : null,
    },
  };
}

/** `{total_agents, active_agents, idle_agents, ...}`: the original overview naming. */
export function agentOverview(workload: WorkloadFiguresDto): Record<string, number> {
  return overview('agents', workload.agents.total, workload.agents.by_status);
}

/** `{total_tasks, pending_tasks, in_progress_tasks, ...}`. */
export function taskOverview(workload: WorkloadFiguresDto): Record<string, number> {
  return overview('tasks', workload.tasks.total, workload.tasks.by_status);
}

/**
 * `{total_workflows, active_workflows, completed_workflows, paused_workflows}` (the
 * original's four; active counts running and scheduled ones too). Null for a
 * snapshot stored before workflows were measured.
 */
export function workflowOverview(workload: WorkloadFiguresDto): Record<string, number> | null {
  if (!workload.workflows) return null;
  const { total: all, by_status: byStatus } = workload.workflows;
  const count = (status: string) => byStatus[status] ?? 0;
  return {
    total_workflows: all,
    active_workflows: count('active') + count('running') + count('scheduled'),
    completed_workflows: count('completed'),
    paused_workflows: count('paused'),
  };
}

/** The original's blend of the task, workflow and agent rates. */
const OVERALL_WEIGHTS = { task: 0.6, workflow: 0.3, agent: 0.1 };

/**
 * The original `success_rates` group, each over what has finished (null while
 * nothing has). The overall rate blends the others with the original's weights
 * (0.6 task, 0.3 workflow, 0.1 agent), over those that are known.
 */
export function successRates(workload: WorkloadFiguresDto): Record<string, number | null> {
  const { tasks } = workload;
  const finished = (tasks.by_status.completed ?? 0) + (tasks.by_status.failed ?? 0);
  const task = finished ? tasks.success_rate : null;
  // Unknown in snapshots stored before the count was kept: their rate of 0 may mean none.
  const agent = tasks.finished_on_agents ? tasks.agent_success_rate : null;
  const workflow = workload.workflows?.runs.success_rate ?? null;
  const parts = [
    [task, OVERALL_WEIGHTS.task],
    [workflow, OVERALL_WEIGHTS.workflow],
    [agent, OVERALL_WEIGHTS.agent],
  ].filter((part): part is [number, number] => part[0] !== null);
  const weight = parts.reduce((sum, [, w]) => sum + w, 0);
  return {
    overall_success_rate: weight
      ? round(parts.reduce((sum, [value, w]) => sum + value * w, 0) / weight)
      : null,
    task_success_rate: task,
    workflow_success_rate: workflow,
    agent_success_rate: agent,
  };
}

function overview(
  noun: string,
  all: number,
  byStatus: Record<string, number>,
): Record<string, number> {
  return {
    [`total_${noun}`]: all,
    ...Object.fromEntries(
      Object.entries(byStatus).map(([status, count]) => [`${status}_${noun}`, count]),
    ),
  };
}

export interface TaskBreakdowns {
  by: 'status' | 'priority' | 'task_type';
  status: string | null;
  priority: string | null;
  task_type: string | null;
  count: number;
}

export interface TaskPerformanceFigures {
  total: number;
  completed: number;
  blocked: number;
  urgent: number;
  avg_progress: number | null;
  avg_duration_ms: number | null;
}

const round2 = (value: number | null) => (value === null ? 0 : Math.round(value * 100) / 100);

/** v1 `GET /system/metrics/tasks` from the grouping-set rows and the performance aggregate. */
export function toV1TaskMetrics(
  rows: TaskBreakdowns[],
  performance: TaskPerformanceFigures,
): V1SystemTaskMetricsDto {
  const group = (by: TaskBreakdowns['by']) =>
    rows.filter((row) => row.by === by).map((row) => ({ key: row[by], count: row.count }));
  return {
    total_tasks: performance.total,
    by_status: countsBy(TASK_STATUSES, group('status')),
    by_priority: countsBy(TASK_PRIORITIES, group('priority')),
    by_type: countsBy([], group('task_type')),
    performance: {
      completion_rate: rate(performance.completed, performance.total),
      avg_progress: round2(performance.avg_progress),
      avg_duration: round2(performance.avg_duration_ms),
      blocked_count: performance.blocked,
      urgent_count: performance.urgent,
    },
  };
}
