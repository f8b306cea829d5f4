import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DERIVED_WORKFLOW_STATUS as DERIVED_STATUS } from '../../database/sql.js';
import type {
  CountRow,
  TaskBreakdowns,
  TaskPerformanceFigures,
  TaskStatusRow,
} from './workload.js';

export interface WorkflowPerformanceFigures {
  workflows: number;
  templates: number;
  runs: number;
  completed: number;
  failed: number;
  avg_progress: number | null;
  avg_duration_ms: number | null;
}

/**
 * Counts over the agents, tasks and workflows tables, read directly (as aggregates)
 * so that system figures need no row of them in memory.
 */
@Injectable()
export class WorkloadQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  agentsByStatus(): Promise<CountRow[]> {
    return this.dataSource.query(
      'SELECT status AS key, count(*)::int AS count FROM agents GROUP BY status',
    );
  }

  agentsByType(): Promise<CountRow[]> {
    return this.dataSource.query(
      'SELECT agent_type AS key, count(*)::int AS count FROM agents GROUP BY agent_type ORDER BY 1',
    );
  }

  /** Finished tasks that ran on an agent: the totals behind the agents' derived figures. */
  async agentTaskTotals(): Promise<{ completed: number; failed: number }> {
    const [row]: { completed: number; failed: number }[] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM tasks WHERE assigned_agent_id IS NOT NULL AND status IN ('completed', 'failed')`,
    );
    return row;
  }

  tasksByStatus(): Promise<TaskStatusRow[]> {
    return this.dataSource.query(
      `SELECT status, count(*)::int AS count,
              count(*) FILTER (WHERE assigned_agent_id IS NOT NULL)::int AS assigned
         FROM tasks GROUP BY status`,
    );
  }

  runsByStatus(): Promise<CountRow[]> {
    return this.dataSource.query(
      'SELECT status AS key, count(*)::int AS count FROM workflow_runs GROUP BY status',
    );
  }

  /** Tasks by status, by priority and by type, in one scan. */
  taskBreakdowns(): Promise<TaskBreakdowns[]> {
    return this.dataSource.query(
      `SELECT status, priority, task_type,
              CASE WHEN GROUPING(status) = 0 THEN 'status'
                   WHEN GROUPING(priority) = 0 THEN 'priority' ELSE 'task_type' END AS by,
              count(*)::int AS count
         FROM tasks GROUP BY GROUPING SETS ((status), (priority), (task_type))`,
    );
  }

  async taskPerformance(): Promise<TaskPerformanceFigures> {
    const [row]: TaskPerformanceFigures[] = await this.dataSource.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'blocked')::int AS blocked,
              count(*) FILTER (WHERE is_urgent)::int AS urgent,
              avg(progress_percentage)::float8 AS avg_progress,
              (avg(extract(epoch FROM (completed_at - started_at)) * 1000)
                 FILTER (WHERE status = 'completed'))::float8 AS avg_duration_ms
         FROM tasks`,
    );
    return row;
  }

  /** Workflows by the status they show (their runs first) and by type. */
  workflowBreakdowns(): Promise<{ by: 'status' | 'type'; key: string; count: number }[]> {
    return this.dataSource.query(
      `WITH shown AS (SELECT ${DERIVED_STATUS} AS status, coalesce(workflow.workflow_type, 'unspecified') AS type FROM workflows workflow)
       SELECT 'status' AS by, status AS key, count(*)::int AS count FROM shown GROUP BY status
       UNION ALL
       SELECT 'type', type, count(*)::int FROM shown GROUP BY type`,
    );
  }

  /** Run figures: completion and success among runs, mean progress (finished steps / steps), mean duration. */
  async workflowPerformance(): Promise<WorkflowPerformanceFigures> {
    const [row]: WorkflowPerformanceFigures[] = await this.dataSource.query(
      `WITH progress AS (
         SELECT r.id, r.status, r.started_at, r.completed_at,
                coalesce(100.0 * count(t.id) FILTER (WHERE t.status IN ('completed', 'failed', 'cancelled')) / nullif(count(t.id), 0), 0) AS pct
           FROM workflow_runs r LEFT JOIN tasks t ON t.run_id = r.id GROUP BY r.id)
       SELECT (SELECT count(*)::int FROM workflows) AS workflows,
              (SELECT count(*)::int FROM workflows WHERE is_template) AS templates,
              count(*)::int AS runs,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              avg(pct)::float8 AS avg_progress,
              (avg(extract(epoch FROM (completed_at - started_at)) * 1000) FILTER (WHERE status = 'completed'))::float8 AS avg_duration_ms
         FROM progress`,
    );
    return row;
  }
}
