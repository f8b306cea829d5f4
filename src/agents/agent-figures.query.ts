import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Batcher } from '../common/batcher.js';
import { preparedQuery } from '../database/prepared.js';
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
  /** %, of the window since the agent's first heartbeat; null before it sent one. */
  percentage: number | null;
  statusChanges: number;
}

interface UptimeRow {
  agent_id: string;
  heard: boolean;
  total_seconds: number;
  up_seconds: number;
  changes: number;
  current_status: string;
}

/**
 * Uptime per agent ($1 ids, $2 window start, $3 up statuses): each status-history
 * row lasts until the next one (the last until now), clipped to the window. The
 * window opens at the agent's first heartbeat (its first history row of reason
 * `heartbeat`; an agent heard before such rows were written: its creation): the time
 * between creation and that heartbeat says nothing about the agent.
 */
const UPTIME_CTES = `
  scope AS (
    SELECT a.id, a.status, a.last_heartbeat IS NOT NULL AS heard,
           GREATEST(a.created_at, $2::timestamptz) AS count_from,
           GREATEST(COALESCE((SELECT MIN(h.changed_at) FROM agent_status_history h
                               WHERE h.agent_id = a.id AND h.reason = 'heartbeat'), a.created_at),
                    $2::timestamptz) AS start_at
      FROM agents a WHERE a.id = ANY($1::uuid[])
  ), segments AS (
    SELECT agent_id, status, changed_at AS from_at,
           LEAD(changed_at, 1, now()) OVER (PARTITION BY agent_id ORDER BY changed_at, id) AS to_at
      FROM agent_status_history WHERE agent_id = ANY($1::uuid[])
  ), uptime AS (
    SELECT s.id AS agent_id, s.status AS current_status, s.heard,
           EXTRACT(EPOCH FROM (now() - s.start_at))::float8 AS total_seconds,
           COALESCE(SUM(GREATEST(0, EXTRACT(EPOCH FROM (LEAST(g.to_at, now()) - GREATEST(g.from_at, s.start_at)))))
             FILTER (WHERE g.status = ANY($3::text[])), 0)::float8 AS up_seconds,
           COUNT(g.agent_id) FILTER (WHERE g.from_at >= s.count_from)::int AS changes
      FROM scope s
      LEFT JOIN segments g ON g.agent_id = s.id AND g.to_at > s.count_from
     GROUP BY s.id, s.status, s.heard, s.start_at, s.count_from
  )`;

/** Counts and mean duration of each agent's tasks ($1 ids). */
const WORK_CTE = `
  work AS (
    SELECT assigned_agent_id AS agent_id,
           COUNT(*) FILTER (WHERE status = 'completed')::int AS completed,
           COUNT(*) FILTER (WHERE status = 'failed')::int AS failed,
           COUNT(*) FILTER (WHERE status = 'in_progress')::int AS running,
           (AVG(EXTRACT(EPOCH FROM (completed_at - started_at)) * 1000)
              FILTER (WHERE status = 'completed' AND started_at IS NOT NULL))::float8 AS avg_ms
      FROM tasks
     WHERE assigned_agent_id = ANY($1::uuid[]) AND status IN ('completed', 'failed', 'in_progress')
     GROUP BY assigned_agent_id
  )`;

/** Every figure of agents ($1 ids, $2 uptime window start, $3 up statuses), in one statement. */
export const FIGURES_SQL = `WITH ${UPTIME_CTES}, ${WORK_CTE}
  SELECT u.*, w.completed, w.failed, w.running, w.avg_ms FROM uptime u LEFT JOIN work w USING (agent_id)`;

interface WorkRow {
  agent_id: string;
  completed: number;
  failed: number;
  running: number;
  avg_ms: number | null;
}

function uptimeFigures(row: UptimeRow): UptimeFigures {
  if (!row.heard) return { percentage: null, statusChanges: row.changes };
  const total = Number(row.total_seconds);
  const up = Math.min(Number(row.up_seconds), total);
  // A window too short to measure: the current status says it all.
  const percentage =
    total > 0.001
      ? (up / total) * 100
      : (UP_STATUSES as readonly string[]).includes(row.current_status)
        ? 100
        : 0;
  return { percentage, statusChanges: row.changes };
}

function workFigures(row: WorkRow): Partial<AgentFigures> {
  return {
    tasksCompleted: row.completed,
    tasksFailed: row.failed,
    running: row.running,
    avgResponseTimeMs: row.avg_ms ?? 0,
  };
}

/** The most agents a read may ask for to be read with others (the lists' default pages: 50, v1's 100). */
const COALESCED_AT_MOST = 100;

/**
 * The figures derived from stored data: uptime from the status history, task counts
 * and durations from the tasks assigned to the agent. (It reads the tasks table
 * directly, so that the tasks module can depend on agents and not the other way round.)
 */
@Injectable()
export class AgentFiguresQuery {
  /**
   * Figures asked for at the same time (concurrent list reads, the agents of a burst of task
   * reports) are read together: one statement for every agent asked for while the one
   * before it ran, each agent once. Each answer still comes from a read that started after
   * it was asked for (`Batcher`), so it shows every write committed before.
   */
  private readonly reads = new Batcher<string, AgentFigures>((ids) => this.read(ids));

  constructor(private readonly dataSource: DataSource) {}

  /** The figures of several agents at once (an agent with no data: `NO_FIGURES`). */
  async forAgents(ids: string[], manager?: EntityManager): Promise<Map<string, AgentFigures>> {
    // Inside a transaction, on its connection: it may read its own uncommitted writes.
    // A larger read (a summary over every agent, a page of 1,000) goes alone, in one
    // statement, rather than held up by, or holding up, the reads of pages and views.
    if (manager?.queryRunner || ids.length > COALESCED_AT_MOST) return this.read(ids, manager);
    const unique = [...new Set(ids)];
    const answers = await Promise.all(unique.map((id) => this.reads.ask(id)));
    return new Map(unique.map((id, index) => [id, answers[index] ?? NO_FIGURES]));
  }

  /** One statement for all of `ids`. */
  private async read(ids: string[], manager?: EntityManager): Promise<Map<string, AgentFigures>> {
    const figures = new Map<string, AgentFigures>();
    if (!ids.length) return figures;
    // Read with every agent list and view: prepared, so it is planned once per connection.
    const rows = await preparedQuery<UptimeRow & Partial<WorkRow>>(
      this.dataSource,
      manager,
      'agent_figures',
      FIGURES_SQL,
      [ids, new Date(Date.now() - UPTIME_WINDOW_MS), UP_STATUSES],
    );
    for (const row of rows) {
      figures.set(row.agent_id, {
        ...NO_FIGURES,
        ...(row.completed !== null && row.completed !== undefined
          ? workFigures(row as WorkRow)
          : {}),
        uptimePercentage: uptimeFigures(row).percentage,
      });
    }
    for (const id of ids) if (!figures.has(id)) figures.set(id, NO_FIGURES);
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
      `WITH ${UPTIME_CTES} SELECT * FROM uptime`,
      [ids, since, UP_STATUSES],
    );
    return new Map(rows.map((row) => [row.agent_id, uptimeFigures(row)]));
  }

  /** Tasks of the agent finished in [since, now]: counts and durations of the completed ones. */
  async taskWindow(agentId: string, since: Date): Promise<TaskWindowFigures> {
    const [row]: {
      completed: number;
      failed: number;
      avg_ms: number | null;
      p50_ms: number | null;
      p95_ms: number | null;
    }[] = await this.dataSource.query(
      `WITH finished AS (
         SELECT status, EXTRACT(EPOCH FROM (completed_at - started_at)) * 1000 AS duration_ms
           FROM tasks
          WHERE assigned_agent_id = $1 AND status IN ('completed', 'failed') AND completed_at >= $2
       )
       SELECT COUNT(*) FILTER (WHERE status = 'completed')::int AS completed,
              COUNT(*) FILTER (WHERE status = 'failed')::int AS failed,
              (AVG(duration_ms) FILTER (WHERE status = 'completed'))::float8 AS avg_ms,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)
                 FILTER (WHERE status = 'completed'))::float8 AS p50_ms,
              (percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)
                 FILTER (WHERE status = 'completed'))::float8 AS p95_ms
         FROM finished`,
      [agentId, since],
    );
    return {
      completed: row.completed,
      failed: row.failed,
      avgDuration: row.avg_ms,
      p50Duration: row.p50_ms,
      p95Duration: row.p95_ms,
    };
  }

  /** The title of a task the agent says it works on (null when there is no such task). */
  async taskTitle(taskId: string | null, manager?: EntityManager): Promise<string | null> {
    if (!taskId) return null;
    const rows: { title: string }[] = await (manager ?? this.dataSource.manager).query(
      'SELECT title FROM tasks WHERE id = $1',
      [taskId],
    );
    return rows[0]?.title ?? null;
  }

  /** Tasks in progress per agent, for several agents in one query. */
  async runningTasksOf(agentIds: string[], manager?: EntityManager): Promise<Map<string, number>> {
    const running = new Map<string, number>(agentIds.map((id) => [id, 0]));
    if (!agentIds.length) return running;
    const rows: { agent_id: string; running: number }[] = await (
      manager ?? this.dataSource.manager
    ).query(
      `SELECT assigned_agent_id AS agent_id, COUNT(*)::int AS running FROM tasks
        WHERE assigned_agent_id = ANY($1::uuid[]) AND status = 'in_progress'
        GROUP BY assigned_agent_id`,
      [agentIds],
    );
    for (const row of rows) running.set(row.agent_id, row.running);
    return running;
  }
}
