import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FINISHED_RUN_STATUSES } from '../workflows/run-state.js';
import type { ApiRunRow, ApiStepRow } from './api-run-context.js';

/** The listing holds every unfinished run and this many of the most recently finished. */
export const FINISHED_LISTED = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const RUN_COLUMNS = `r.id, r.workflow_id, r.run_number, r.status, w.name, w.description, r.parameters,
       r.error, r.created_at, r.updated_at, r.started_at, r.completed_at`;

/** Reads of the runs started over REST or v1 `execute` (source `api`), for `/api/subforge/*`. */
@Injectable()
export class ApiRunsQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every unfinished run and the most recently finished ones, newest first. */
  listed(): Promise<ApiRunRow[]> {
    return this.dataSource.query(
      `(SELECT ${RUN_COLUMNS} FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
         WHERE r.source = 'api' AND r.status <> ALL($1::text[]))
       UNION ALL
       (SELECT ${RUN_COLUMNS} FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
         WHERE r.source = 'api' AND r.status = ANY($1::text[])
         ORDER BY r.completed_at DESC NULLS LAST, r.id LIMIT $2)
       ORDER BY created_at DESC, id`,
      [FINISHED_RUN_STATUSES, FINISHED_LISTED],
    );
  }

  /** The run with this id, if it is a UUID of a run started over the API. */
  async find(id: string): Promise<ApiRunRow | null> {
    if (!UUID.test(id)) return null;
    const rows: ApiRunRow[] = await this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
        WHERE r.id = $1 AND r.source = 'api'`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The runs' steps with their tasks and agents, each run's in execution order. */
  async steps(runIds: string[]): Promise<Map<string, ApiStepRow[]>> {
    const byRun = new Map<string, ApiStepRow[]>(runIds.map((id) => [id, []]));
    if (!runIds.length) return byRun;
    const rows: ApiStepRow[] = await this.dataSource.query(
      `SELECT s.run_id, s.step_key, s.name, s.depends_on, t.id AS task_id, t.title, t.description,
              t.status, t.priority, t.tags, t.error, t.started_at, t.completed_at, t.created_at,
              t.updated_at, a.name AS agent_name, a.agent_type, a.model AS agent_model,
              a.tools AS agent_tools
         FROM workflow_run_steps s
         JOIN tasks t ON t.id = s.task_id
         LEFT JOIN agents a ON a.id = t.assigned_agent_id
        WHERE s.run_id = ANY($1::uuid[])
        ORDER BY s.run_id, t.started_at NULLS LAST, s.position`,
      [runIds],
    );
    for (const row of rows) byRun.get(row.run_id)!.push(row);
    return byRun;
  }

  /** Counts by SubForge status, and the seconds completed runs took on average. */
  async counts(): Promise<{
    total: number;
    active: number;
    completed: number;
    failed: number;
    completed_seconds: number;
  }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status IN ('scheduled', 'running'))::int AS active,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              coalesce(sum(extract(epoch FROM completed_at - created_at))
                FILTER (WHERE status = 'completed'), 0)::float AS completed_seconds
         FROM workflow_runs WHERE source = 'api'`,
    );
    return row;
  }

  /** Step names by how many runs have them. */
  phaseCounts(): Promise<{ phase: string; count: number }[]> {
    return this.dataSource.query(
      `SELECT s.name AS phase, count(DISTINCT s.run_id)::int AS count
         FROM workflow_run_steps s JOIN workflow_runs r ON r.id = s.run_id
        WHERE r.source = 'api' GROUP BY s.name`,
    );
  }

  /** Per agent: runs worked on, steps assigned and completed. */
  agentWork(): Promise<{ agent: string; runs: number; assigned: number; completed: number }[]> {
    return this.dataSource.query(
      `SELECT a.name AS agent, count(DISTINCT s.run_id)::int AS runs, count(*)::int AS assigned,
              count(*) FILTER (WHERE t.status = 'completed')::int AS completed
         FROM workflow_run_steps s
         JOIN workflow_runs r ON r.id = s.run_id
         JOIN tasks t ON t.id = s.task_id
         JOIN agents a ON a.id = t.assigned_agent_id
        WHERE r.source = 'api' GROUP BY a.name`,
    );
  }

  /** Every agent of the store by name (the home page counts one key per agent). */
  async agentNames(): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT DISTINCT name FROM agents ORDER BY name`,
    );
    return rows.map((row) => row.name);
  }
}
