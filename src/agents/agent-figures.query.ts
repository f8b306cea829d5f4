import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UP_STATUSES } from './agent-status.js';
import { type AgentFigures, NO_FIGURES } from './agent.mapper.js';

/** `performance_metrics.uptime_percentage` looks back this far. */
export const UPTIME_WINDOW_MS = 7 * 24 * 3_600_000;

/** Task figures of one agent over a period (tasks finished in it). */
export interface TaskWindowFigures {
  completed: number;
  failed: number;
  /** ms, over completed tasks; null without any. */
  avgDuration: number | null;
  p50Duration: number | null;
  p95Duration: number | null;
}

export interface UptimeFigures {
  /** %, of the window since the agent existed. */
  percentage: number;
  statusChanges: number;
}

interface UptimeRow {
  agent_id: string;
  total_seconds: number;
  up_seconds: number;
  changes: number;
  current_status: string;
}

/**
 * The figures derived from stored data: uptime from the status history, and (with
 * the tasks module) task counts and durations.
 */
@Injectable()
export class AgentFiguresQuery {
  constructor(private readonly dataSource: DataSource) {}

  /** The figures of several agents at once (one query per source, not per agent). */
  async forAgents(ids: string[], manager?: EntityManager): Promise<Map<string, AgentFigures>> {
    const figures = new Map<string, AgentFigures>();
    if (!ids.length) return figures;
    const since = new Date(Date.now() - UPTIME_WINDOW_MS);
    const [uptime, tasks] = await Promise.all([
      this.uptime(ids, since, manager),
      this.taskFigures(ids, manager),
    ]);
    for (const id of ids) {
      figures.set(id, {
        ...NO_FIGURES,
        ...tasks.get(id),
        uptimePercentage: uptime.get(id)?.percentage ?? 0,
      });
    }
    return figures;
  }

  async forAgent(id: string, manager?: EntityManager): Promise<AgentFigures> {
    return (await this.forAgents([id], manager)).get(id) ?? NO_FIGURES;
  }

  /**
   * Share of [max(created, since), now] spent in an up status, from the status
   * history: each row lasts until the next one (the last until now).
   */
  async uptime(
    ids: string[],
    since: Date,
    manager?: EntityManager,
  ): Promise<Map<string, UptimeFigures>> {
    const rows: UptimeRow[] = await (manager ?? this.dataSource.manager).query(
      `WITH scope AS (
         SELECT id, status, GREATEST(created_at, $2::timestamptz) AS start_at
           FROM agents WHERE id = ANY($1::uuid[])
       ), segments AS (
         SELECT agent_id, status, changed_at AS from_at,
                LEAD(changed_at, 1, now()) OVER (PARTITION BY agent_id ORDER BY changed_at, id) AS to_at
           FROM agent_status_history WHERE agent_id = ANY($1::uuid[])
       )
       SELECT s.id AS agent_id, s.status AS current_status,
              EXTRACT(EPOCH FROM (now() - s.start_at))::float8 AS total_seconds,
              COALESCE(SUM(GREATEST(0, EXTRACT(EPOCH FROM (LEAST(g.to_at, now()) - GREATEST(g.from_at, s.start_at)))))
                FILTER (WHERE g.status = ANY($3::text[])), 0)::float8 AS up_seconds,
              COUNT(g.agent_id) FILTER (WHERE g.from_at >= s.start_at)::int AS changes
         FROM scope s
         LEFT JOIN segments g ON g.agent_id = s.id AND g.to_at > s.start_at
        GROUP BY s.id, s.status, s.start_at`,
      [ids, since, UP_STATUSES],
    );
    const result = new Map<string, UptimeFigures>();
    for (const row of rows) {
      const total = Number(row.total_seconds);
      const up = Math.min(Number(row.up_seconds), total);
      // A window too short to measure: the current status says it all.
      const percentage =
        total > 0.001
          ? (up / total) * 100
          : (UP_STATUSES as readonly string[]).includes(row.current_status)
            ? 100
            : 0;
      result.set(row.agent_id, { percentage, statusChanges: row.changes });
    }
    return result;
  }

  /** Task-derived figures; the tasks table arrives with the tasks module, so none yet. */
  async taskFigures(
    _ids: string[],
    _manager?: EntityManager,
  ): Promise<Map<string, Partial<AgentFigures>>> {
    return new Map();
  }

  /** Tasks of the agent finished in [since, now]; the tasks module brings them. */
  async taskWindow(_agentId: string, _since: Date): Promise<TaskWindowFigures> {
    return { completed: 0, failed: 0, avgDuration: null, p50Duration: null, p95Duration: null };
  }

  /** The title of a task the agent says it works on (null when unknown). */
  async taskTitle(_taskId: string | null, _manager?: EntityManager): Promise<string | null> {
    return null;
  }

  /** Tasks of the agent now in progress. */
  async runningTasks(_agentId: string, _manager?: EntityManager): Promise<number> {
    return 0;
  }
}
