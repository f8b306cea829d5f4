import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type {
  CountRow,
  TaskBreakdowns,
  TaskPerformanceFigures,
  TaskStatusRow,
} from './workload.js';

/**
 * Counts over the agents and tasks tables, read directly (as aggregates) so that
 * system figures need no row of either in memory. Workflow counts join here, one
 * query each, once the workflows module has its tables.
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
}
