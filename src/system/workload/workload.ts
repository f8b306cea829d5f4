import { AGENT_STATUSES } from '../../agents/agent-status.js';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../tasks/task-state.js';
import { rate } from '../api-metrics/report.js';
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
 * The original `success_rates` group. Workflow figures (and the original's
 * overall blend of task, workflow and agent rates) wait for workflow runs: null.
 */
export function successRates(workload: WorkloadFiguresDto): Record<string, number | null> {
  return {
    overall_success_rate: null,
    task_success_rate: workload.tasks.success_rate,
    workflow_success_rate: null,
    agent_success_rate: workload.tasks.agent_success_rate,
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
