import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { WORKING_STATUSES, type AgentStatus } from '../agents/agent-status.js';
import type { SupersededOutcome } from '../workflows/run-state.js';
import type { WaitingChange } from '../workflows/waiting-reason.js';
import type { AgentLoad, StepRouting } from './dispatch-selection.js';
import type { RoutingCounts } from './waiting.js';

/** A ready step the dispatcher holds (its task row is locked until commit). */
export interface ClaimedStep extends StepRouting {
  taskId: string;
  runId: string;
  stepKey: string;
  timeoutSeconds: number;
}

export interface LockedAgent {
  id: string;
  status: AgentStatus;
  isActive: boolean;
  lastHeartbeat: Date | null;
  capacity: number;
}

export interface ExpiredStep {
  taskId: string;
  runId: string;
  attempt: number;
  timeoutSeconds: number;
}

/** SQL of "every dependency of task `t` completed". */
const READY = `t.status = 'pending' AND NOT EXISTS (
  SELECT 1 FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
   WHERE d.task_id = t.id AND dep.status <> 'completed')`;

/**
 * The parameters and `WHERE` condition on agents `a` that serve a routing: $1 the working
 * statuses, $2 the heartbeat window in seconds, then the routing's own.
 */
function routingQuery(
  routing: StepRouting,
  offlineAfterSeconds: number,
): { params: unknown[]; match: string } {
  const params: unknown[] = [WORKING_STATUSES, offlineAfterSeconds];
  if (routing.agentId) return { params: [...params, routing.agentId], match: 'a.id = $3' };
  return {
    params: [...params, routing.agentType, routing.requiredCapabilities],
    match: '($3::text IS NULL OR a.agent_type = $3) AND a.capabilities @> $4::text[]',
  };
}

/** The queries of dispatching: claims, agents' capacity, the dispatch log, deadlines. */
@Injectable()
export class DispatchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Ready steps of running orchestrated runs, locked for this transaction. Rows
   * another dispatcher holds are skipped (SKIP LOCKED), so two workers never claim
   * the same step; the run row is held in share mode, so a pause or cancel waits
   * for this dispatch to commit and no dispatch starts after it.
   */
  async claimReadySteps(
    manager: EntityManager,
    runId: string | null,
    limit: number,
  ): Promise<ClaimedStep[]> {
    const rows: {
      task_id: string;
      run_id: string;
      step_key: string;
      agent_id: string | null;
      agent_type: string | null;
      required_capabilities: string[];
      timeout_seconds: number;
    }[] = await manager.query(
      `SELECT t.id AS task_id, s.run_id, s.step_key, s.agent_id, s.agent_type,
              s.required_capabilities, s.timeout_seconds
         FROM workflow_run_steps s
         JOIN workflow_runs r ON r.id = s.run_id
         JOIN tasks t ON t.id = s.task_id
        WHERE r.status = 'running' AND r.source = 'api' AND ${READY}
          ${runId ? 'AND s.run_id = $2' : ''}
        ORDER BY r.started_at, s.run_id, s.position
        LIMIT $1
        FOR UPDATE OF t SKIP LOCKED
        FOR SHARE OF r SKIP LOCKED`,
      runId ? [limit, runId] : [limit],
    );
    return rows.map((row) => ({
      taskId: row.task_id,
      runId: row.run_id,
      stepKey: row.step_key,
      agentId: row.agent_id,
      agentType: row.agent_type,
      requiredCapabilities: row.required_capabilities,
      timeoutSeconds: row.timeout_seconds,
    }));
  }

  /**
   * The agents that serve a routing: how many are not stopped on purpose, and how
   * many of those work and have sent a heartbeat within `offlineAfterSeconds`.
   */
  async routingCounts(
    manager: EntityManager,
    routing: StepRouting,
    offlineAfterSeconds: number,
  ): Promise<RoutingCounts> {
    const { params, match } = routingQuery(routing, offlineAfterSeconds);
    const [row]: { matching: number; live: number }[] = await manager.query(
      `SELECT count(*) FILTER (WHERE a.status <> 'inactive')::int AS matching,
              count(*) FILTER (WHERE a.is_active AND a.status = ANY($1::text[])
                AND a.last_heartbeat > now() - make_interval(secs => $2))::int AS live
         FROM agents a WHERE ${match}`,
      params,
    );
    return row;
  }

  /**
   * Stores why steps wait (null: they no longer do); returns the changes, for events.
   * A step whose reason and detail are unchanged is not written again.
   */
  async setWaiting(manager: EntityManager, changes: WaitingChange[]): Promise<WaitingChange[]> {
    if (!changes.length) return [];
    // An UPDATE answers [rows, count].
    const [rows]: [{ run_id: string; step_key: string }[], number] = await manager.query(
      `UPDATE workflow_run_steps s SET waiting_reason = v.reason, waiting_detail = v.detail
         FROM jsonb_to_recordset($1::jsonb) AS v(run_id uuid, step_key text, reason text, detail text)
        WHERE s.run_id = v.run_id AND s.step_key = v.step_key
          AND (s.waiting_reason, s.waiting_detail) IS DISTINCT FROM (v.reason, v.detail)
        RETURNING s.run_id, s.step_key`,
      [
        JSON.stringify(
          changes.map((change) => ({
            run_id: change.runId,
            step_key: change.stepKey,
            reason: change.reason,
            detail: change.detail,
          })),
        ),
      ],
    );
    const written = new Set(rows.map((row) => `${row.run_id} ${row.step_key}`));
    return changes.filter((change) => written.has(`${change.runId} ${change.stepKey}`));
  }

  /** Agents that serve a step and pass the availability rule, with their workload now. */
  async candidates(
    manager: EntityManager,
    routing: StepRouting,
    offlineAfterSeconds: number,
  ): Promise<AgentLoad[]> {
    const { params, match } = routingQuery(routing, offlineAfterSeconds);
    const rows: { id: string; capacity: number; running: number; last_activity: Date | null }[] =
      await manager.query(
        `SELECT a.id, a.max_concurrent_tasks AS capacity, a.last_activity,
                (SELECT count(*)::int FROM tasks x
                  WHERE x.assigned_agent_id = a.id AND x.status = 'in_progress') AS running
           FROM agents a
          WHERE a.is_active AND a.status = ANY($1::text[])
            AND a.last_heartbeat > now() - make_interval(secs => $2) AND ${match}`,
        params,
      );
    return rows.map((row) => ({
      id: row.id,
      capacity: row.capacity,
      running: row.running,
      lastActivity: row.last_activity,
    }));
  }

  /**
   * Takes the rows of the agents no other dispatcher holds (SKIP LOCKED), for this
   * transaction. Whoever holds an agent's row decides what it takes next, which makes
   * the capacity check race-free across processes.
   */
  async lockAgents(manager: EntityManager, agentIds: string[]): Promise<LockedAgent[]> {
    const rows: {
      id: string;
      status: AgentStatus;
      is_active: boolean;
      last_heartbeat: Date | null;
      max_concurrent_tasks: number;
    }[] = await manager.query(
      `SELECT id, status, is_active, last_heartbeat, max_concurrent_tasks
         FROM agents WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE SKIP LOCKED`,
      [agentIds],
    );
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      isActive: row.is_active,
      lastHeartbeat: row.last_heartbeat,
      capacity: row.max_concurrent_tasks,
    }));
  }

  /** Tasks in progress per agent; read after taking their rows, so it sees every earlier assignment. */
  async runningOn(manager: EntityManager, agentIds: string[]): Promise<Map<string, number>> {
    const running = new Map<string, number>(agentIds.map((id) => [id, 0]));
    const rows: { agent_id: string; n: number }[] = await manager.query(
      `SELECT assigned_agent_id AS agent_id, count(*)::int AS n FROM tasks
        WHERE assigned_agent_id = ANY($1::uuid[]) AND status = 'in_progress'
        GROUP BY assigned_agent_id`,
      [agentIds],
    );
    for (const row of rows) running.set(row.agent_id, row.n);
    return running;
  }

  /**
   * Logs assignments, each with its deadline (timeout_seconds after it). One row per
   * (task, attempt): a second dispatch of the same attempt is refused by the key.
   */
  async logDispatches(
    manager: EntityManager,
    rows: {
      runId: string;
      taskId: string;
      stepKey: string;
      attempt: number;
      agentId: string;
      dispatchedAt: Date;
      timeoutSeconds: number;
    }[],
    instanceId: string,
  ): Promise<{ runId: string; stepKey: string }[]> {
    if (!rows.length) return [];
    // In the same statement, the dispatched steps wait no more: their reason is cleared
    // (written only where one was stored), and those cleared are returned, for events.
    const cleared: { run_id: string; step_key: string }[] = await manager.query(
      `WITH d AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::uuid[],
                              $6::timestamptz[], $8::int[])
                AS d(run_id, task_id, step_key, attempt, agent_id, at, timeout)),
       logged AS (
         INSERT INTO workflow_step_dispatches
                (run_id, task_id, step_key, attempt, agent_id, instance_id, dispatched_at, deadline_at)
         SELECT d.run_id, d.task_id, d.step_key, d.attempt, d.agent_id, $7, d.at,
                d.at + make_interval(secs => d.timeout)
           FROM d),
       cleared AS (
         UPDATE workflow_run_steps s SET waiting_reason = NULL, waiting_detail = NULL
           FROM d
          WHERE s.run_id = d.run_id AND s.step_key = d.step_key
            AND (s.waiting_reason IS NOT NULL OR s.waiting_detail IS NOT NULL)
         RETURNING s.run_id, s.step_key)
       SELECT run_id, step_key FROM cleared`,
      [
        rows.map((row) => row.runId),
        rows.map((row) => row.taskId),
        rows.map((row) => row.stepKey),
        rows.map((row) => row.attempt),
        rows.map((row) => row.agentId),
        rows.map((row) => row.dispatchedAt),
        instanceId,
        rows.map((row) => row.timeoutSeconds),
      ],
    );
    return cleared.map((row) => ({ runId: row.run_id, stepKey: row.step_key }));
  }

  /** Records how a superseded attempt ended (the task itself moves on to the next one). */
  async markSuperseded(
    manager: EntityManager,
    taskId: string,
    attempt: number,
    outcome: SupersededOutcome,
    error: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE workflow_step_dispatches SET outcome = $3, error = $4
        WHERE task_id = $1 AND attempt = $2 AND outcome IS NULL`,
      [taskId, attempt, outcome, error],
    );
  }

  /** Steps in progress past their deadline, locked (SKIP LOCKED: a report being written wins). */
  async claimExpired(manager: EntityManager, limit: number): Promise<ExpiredStep[]> {
    const rows: { task_id: string; run_id: string; attempt: number; timeout_seconds: number }[] =
      await manager.query(
        `SELECT t.id AS task_id, d.run_id, t.attempt, s.timeout_seconds
           FROM tasks t
           JOIN workflow_step_dispatches d ON d.task_id = t.id AND d.attempt = t.attempt
           JOIN workflow_run_steps s ON s.task_id = t.id
           JOIN workflow_runs r ON r.id = d.run_id
          WHERE t.status = 'in_progress' AND d.deadline_at <= clock_timestamp() AND r.source = 'api'
          ORDER BY d.deadline_at
          LIMIT $1
          FOR UPDATE OF t SKIP LOCKED`,
        [limit],
      );
    return rows.map((row) => ({
      taskId: row.task_id,
      runId: row.run_id,
      attempt: row.attempt,
      timeoutSeconds: row.timeout_seconds,
    }));
  }

  /**
   * For each set of runs to leave out: is a ready step of another running run waiting
   * for an agent? One statement for all the sets, each answered by an EXISTS that stops at
   * the first such step.
   */
  async waitingStepsElsewhere(exceptRunIds: string[][]): Promise<boolean[]> {
    const rows: { waiting: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (
         SELECT 1 FROM workflow_run_steps s
           JOIN workflow_runs r ON r.id = s.run_id
           JOIN tasks t ON t.id = s.task_id
          WHERE r.status = 'running' AND r.source = 'api' AND ${READY}
            AND s.run_id <> ALL(k.runs)) AS waiting
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (runs uuid[])) WITH ORDINALITY AS k(runs, ord)
        ORDER BY k.ord`,
      [JSON.stringify(exceptRunIds.map((runs) => ({ runs })))],
    );
    return rows.map((row) => row.waiting);
  }

  /** Is a ready step waiting that one of these agents could take now? */
  async waitingStepForAny(agentIds: string[], offlineAfterSeconds: number): Promise<boolean> {
    const rows: { waiting: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (
         SELECT 1 FROM agents a
           JOIN workflow_run_steps s ON (s.agent_id = a.id OR (s.agent_id IS NULL
                AND (s.agent_type IS NULL OR s.agent_type = a.agent_type)
                AND a.capabilities @> s.required_capabilities))
           JOIN workflow_runs r ON r.id = s.run_id
           JOIN tasks t ON t.id = s.task_id
          WHERE a.id = ANY($1::uuid[]) AND a.is_active AND a.status = ANY($2::text[])
            AND a.last_heartbeat > now() - make_interval(secs => $3)
            AND r.status = 'running' AND r.source = 'api' AND ${READY}) AS waiting`,
      [agentIds, WORKING_STATUSES, offlineAfterSeconds],
    );
    return rows[0].waiting;
  }
}
