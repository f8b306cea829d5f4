import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TaskStatisticsDto } from './dto/task-bulk.dto.js';
import type { V1TaskStatsDto } from './dto/task-v1.dto.js';
import { TASK_PRIORITIES, TASK_STATUSES } from './task-state.js';

const round2 = (value: number) => Math.round(value * 100) / 100;
const percent = (part: number, whole: number) => (whole ? round2((part / whole) * 100) : 0);

interface Totals {
  total: number;
  pending: number;
  in_progress: number;
  completed: number;
  failed: number;
  blocked: number;
  cancelled: number;
  urgent: number;
  overdue: number;
  ready: number;
  avg_progress: number | null;
  avg_open_progress: number | null;
  avg_duration_ms: number | null;
  completed_last_24h: number;
}

/** Task statistics, all from SQL aggregates over the stored tasks. */
@Injectable()
export class TaskStatisticsService {
  constructor(private readonly dataSource: DataSource) {}

  async summaryV1(): Promise<V1TaskStatsDto> {
    const totals = await this.totals();
    return {
      total_tasks: totals.total,
      pending_tasks: totals.pending,
      in_progress_tasks: totals.in_progress,
      completed_tasks: totals.completed,
      failed_tasks: totals.failed,
      blocked_tasks: totals.blocked,
      urgent_tasks: totals.urgent,
      avg_progress: round2(totals.avg_progress ?? 0),
      completion_rate: percent(totals.completed, totals.total),
    };
  }

  async statistics(): Promise<TaskStatisticsDto> {
    const [totals, priorities, types] = await Promise.all([
      this.totals(),
      this.countBy('priority'),
      this.countBy('task_type'),
    ]);
    return {
      total: totals.total,
      by_status: Object.fromEntries(TASK_STATUSES.map((status) => [status, totals[status]])),
      by_priority: Object.fromEntries(
        TASK_PRIORITIES.map((priority) => [priority, priorities.get(priority) ?? 0]),
      ),
      by_type: Object.fromEntries(types),
      ready: totals.ready,
      urgent: totals.urgent,
      overdue: totals.overdue,
      avg_progress: round2(totals.avg_open_progress ?? 0),
      completion_rate: percent(totals.completed, totals.total),
      success_rate: percent(totals.completed, totals.completed + totals.failed),
      avg_duration_ms: totals.avg_duration_ms === null ? null : round2(totals.avg_duration_ms),
      completed_last_24h: totals.completed_last_24h,
    };
  }

  private async totals(): Promise<Totals> {
    const [row]: Totals[] = await this.dataSource.query(
      `SELECT COUNT(*)::int AS total,
              COUNT(*) FILTER (WHERE status = 'pending')::int AS pending,
              COUNT(*) FILTER (WHERE status = 'in_progress')::int AS in_progress,
              COUNT(*) FILTER (WHERE status = 'completed')::int AS completed,
              COUNT(*) FILTER (WHERE status = 'failed')::int AS failed,
              COUNT(*) FILTER (WHERE status = 'blocked')::int AS blocked,
              COUNT(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
              COUNT(*) FILTER (WHERE is_urgent)::int AS urgent,
              COUNT(*) FILTER (WHERE due_date < now()
                AND status NOT IN ('completed', 'failed', 'cancelled'))::int AS overdue,
              COUNT(*) FILTER (WHERE status = 'pending' AND NOT EXISTS (
                SELECT 1 FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
                 WHERE d.task_id = t.id AND dep.status <> 'completed'))::int AS ready,
              AVG(progress_percentage)::float8 AS avg_progress,
              (AVG(progress_percentage) FILTER (WHERE status NOT IN ('completed', 'failed', 'cancelled')))::float8
                AS avg_open_progress,
              (AVG(EXTRACT(EPOCH FROM (completed_at - started_at)) * 1000)
                FILTER (WHERE status = 'completed' AND started_at IS NOT NULL))::float8 AS avg_duration_ms,
              COUNT(*) FILTER (WHERE status = 'completed'
                AND completed_at >= now() - interval '24 hours')::int AS completed_last_24h
         FROM tasks t`,
    );
    return row;
  }

  private async countBy(column: 'priority' | 'task_type'): Promise<Map<string, number>> {
    const rows: { key: string | null; count: number }[] = await this.dataSource.query(
      `SELECT ${column} AS key, COUNT(*)::int AS count FROM tasks GROUP BY ${column} ORDER BY 1`,
    );
    return new Map(rows.map((row) => [row.key ?? 'untyped', row.count]));
  }
}
