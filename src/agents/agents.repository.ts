import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import type { SortOrder } from '../common/pagination/page.js';
import { likePattern } from '../database/sql.js';
import {
  AGENT_STATUSES,
  type AgentStatus,
  isActiveStatus,
  SWEEP_EXEMPT_STATUSES,
  WORKING_STATUSES,
} from './agent-status.js';
import type { AgentFilters, AgentSortField } from './dto/agent.dto.js';
import { AgentStatusChangeEntity } from './entities/agent-status-change.entity.js';
import { AgentEntity, type ReportedFigures } from './entities/agent.entity.js';

/** The tasks in progress assigned to `agent` (a select-list subquery). */
const RUNNING_TASKS = `(SELECT count(*)::int FROM tasks t
  WHERE t.assigned_agent_id = agent.id AND t.status = 'in_progress')`;

export interface AgentWithRunning {
  agent: AgentEntity;
  /** Tasks in progress assigned to it. */
  running: number;
}

/** A heartbeat that changes nothing but times (and the figures' `reported_at`). */
export interface HeartbeatTouch {
  /** As read: the status, current task and figures the row must still have. */
  agent: AgentEntity;
  at: Date;
  /** Unset: the heartbeat reports no figures. */
  reportedFigures?: ReportedFigures;
}

export interface AgentPage {
  skip: number;
  limit: number;
  sortBy: AgentSortField;
  sortOrder: SortOrder;
}

const SORT_COLUMNS: Record<AgentSortField, string> = {
  name: 'agent.name',
  status: 'agent.status',
  created_at: 'agent.createdAt',
  updated_at: 'agent.updatedAt',
  last_heartbeat: 'agent.lastHeartbeat',
};

export type StatusChangeReason =
  'created' | 'heartbeat' | 'command' | 'sweep' | 'update' | 'workload';

/** Every query on the agents table and its status history. */
@Injectable()
export class AgentsRepository {
  constructor(@InjectRepository(AgentEntity) private readonly agents: Repository<AgentEntity>) {}

  /**
   * A page and the total, in one statement. The count is a scalar subquery, computed
   * once: a window count would make PostgreSQL read and sort every matching row,
   * where the page alone takes its first rows from the (created_at, id) index.
   */
  async list(filters: AgentFilters, page: AgentPage): Promise<[AgentEntity[], number]> {
    const order = page.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const count = this.filtered(filters, 'counted').select('COUNT(*)');
    const query = this.filtered(filters)
      .addSelect(`(${count.getQuery()})`, 'total_count')
      .setParameters(count.getParameters())
      .orderBy(
        SORT_COLUMNS[page.sortBy],
        order,
        page.sortBy === 'last_heartbeat' ? 'NULLS LAST' : undefined,
      )
      // Ties in the same direction: (created_at, id) is then one index, read either way.
      .addOrderBy('agent.id', order)
      .offset(page.skip)
      .limit(page.limit);
    const { entities, raw } = await query.getRawAndEntities<{ total_count: string }>();
    // Past the last page no row carries the total: count apart.
    const total = raw.length ? Number(raw[0].total_count) : await this.filtered(filters).getCount();
    return [entities, total];
  }

  /** A page without the total (v1 answers a bare array). */
  rows(filters: AgentFilters, page: AgentPage): Promise<AgentEntity[]> {
    const order = page.sortOrder === 'asc' ? 'ASC' : 'DESC';
    return this.filtered(filters)
      .orderBy(SORT_COLUMNS[page.sortBy], order)
      .addOrderBy('agent.id', order)
      .skip(page.skip)
      .take(page.limit)
      .getMany();
  }

  private filtered(filters: AgentFilters, alias = 'agent'): SelectQueryBuilder<AgentEntity> {
    const query = this.agents.createQueryBuilder(alias);
    const a = alias;
    if (filters.status) query.andWhere(`${a}.status = :status`, { status: filters.status });
    if (filters.agent_type)
      query.andWhere(`${a}.agentType = :agentType`, { agentType: filters.agent_type });
    if (filters.is_active !== undefined)
      query.andWhere(`${a}.isActive = :isActive`, { isActive: filters.is_active });
    if (filters.tags?.length)
      query.andWhere(`${a}.tags && CAST(:tags AS text[])`, { tags: filters.tags });
    if (filters.search) {
      query.andWhere(
        `(${a}.name ILIKE :search ESCAPE '\\' OR ${a}.description ILIKE :search ESCAPE '\\')`,
        { search: likePattern(filters.search) },
      );
    }
    return query;
  }

  findById(id: string, manager?: EntityManager): Promise<AgentEntity | null> {
    return (manager ?? this.agents.manager).findOne(AgentEntity, { where: { id } });
  }

  findByIds(ids: string[]): Promise<AgentEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.agents
      .createQueryBuilder('agent')
      .where('agent.id = ANY(:ids)', { ids })
      .orderBy('agent.id')
      .getMany();
  }

  /** Agents with how many tasks each is running, in one statement (heartbeats' reads). */
  async findWithRunning(ids: string[]): Promise<Map<string, AgentWithRunning>> {
    const { entities, raw } = await this.agents
      .createQueryBuilder('agent')
      .addSelect(RUNNING_TASKS, 'running')
      .where('agent.id = ANY(:ids)', { ids })
      .getRawAndEntities<{ agent_id: string; running: number }>();
    const running = new Map(raw.map((row) => [row.agent_id, row.running]));
    return new Map(
      entities.map((agent) => [agent.id, { agent, running: running.get(agent.id) ?? 0 }]),
    );
  }

  /**
   * Records heartbeats that change nothing else (times, and the figures' `reported_at`), in
   * one statement, each provided its row still has the status, current task and figures
   * the caller read (`touch.agent`). An agent's first heartbeat also opens its uptime
   * window: a status-history row, written by the same statement. The rows still as read
   * are locked in id order, as `lockMany` does, so that the statement cannot deadlock with
   * other writers; a row that moved while the lock was awaited is checked again on its new
   * version and skipped. The update joins the locked rows alone: joining them with the
   * values again was planned as a nested loop (500 × 500 comparisons) until the table had
   * been analysed. The ids come again as an array (`$2`): the planner then knows how many
   * rows are looked up and uses the primary key, where it takes a function's rows for 100.
   * Per touch, whether it was written: false when the row moved meanwhile (for a first
   * heartbeat, also when another one came first), or for a second touch of the same agent.
   */
  async touchHeartbeats(touches: HeartbeatTouch[]): Promise<boolean[]> {
    const firstTouch = new Map<string, HeartbeatTouch>();
    for (const touch of touches)
      if (!firstTouch.has(touch.agent.id)) firstTouch.set(touch.agent.id, touch);
    const rows = [...firstTouch.values()].map(({ agent, at, reportedFigures }) => ({
      id: agent.id,
      at: at.toISOString(),
      status: agent.status,
      task: agent.currentTaskId,
      set_figures: reportedFigures !== undefined,
      figures: reportedFigures ?? null,
      expected: agent.reportedFigures,
      first: agent.lastHeartbeat === null,
    }));
    const written: { id: string }[] = await this.agents.manager.query(
      `WITH v AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(
           id uuid, at timestamptz, status varchar, task uuid, set_figures boolean,
           figures jsonb, expected jsonb, first boolean)
       ), locked AS (
         SELECT a.id, v.at, v.set_figures, v.figures, v.first
           FROM agents a JOIN v ON v.id = a.id
          WHERE a.id = ANY($2::uuid[]) AND a.status = v.status
            AND a.current_task_id IS NOT DISTINCT FROM v.task
            AND (NOT v.set_figures OR a.reported_figures IS NOT DISTINCT FROM v.expected)
            AND (NOT v.first OR a.last_heartbeat IS NULL)
          ORDER BY a.id FOR UPDATE OF a
       ), touched AS (
         UPDATE agents a SET last_heartbeat = l.at, last_activity = l.at, updated_at = now(),
                reported_figures = CASE WHEN l.set_figures THEN l.figures ELSE a.reported_figures END
           FROM locked l
          WHERE a.id = l.id AND a.id = ANY($2::uuid[])
         RETURNING a.id, a.status, l.first
       ), opened AS (
         INSERT INTO agent_status_history (agent_id, status, previous_status, reason)
         SELECT id, status, status, 'heartbeat' FROM touched WHERE first
       )
       SELECT id FROM touched`,
      [JSON.stringify(rows), rows.map((row) => row.id)],
    );
    const touchedIds = new Set(written.map((row) => row.id));
    return touches.map(
      (touch) => firstTouch.get(touch.agent.id) === touch && touchedIds.has(touch.agent.id),
    );
  }

  /**
   * Writes what a heartbeat may change of an agent whose row the transaction holds: one
   * UPDATE (`save` would first read the row again to find what changed).
   */
  async saveHeartbeat(manager: EntityManager, agent: AgentEntity, at: Date): Promise<void> {
    agent.updatedAt = at;
    await manager.update(AgentEntity, agent.id, {
      status: agent.status,
      isActive: agent.isActive,
      currentTaskId: agent.currentTaskId,
      currentTaskTitle: agent.currentTaskTitle,
      reportedFigures: agent.reportedFigures,
      lastHeartbeat: agent.lastHeartbeat,
      lastActivity: agent.lastActivity,
      updatedAt: at,
    });
  }

  /** Reads the agent and holds its row until the transaction ends. */
  lock(manager: EntityManager, id: string): Promise<AgentEntity | null> {
    return manager.findOne(AgentEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** `lock`, with how many tasks the agent is running: one statement. */
  async lockWithRunning(manager: EntityManager, id: string): Promise<AgentWithRunning | null> {
    const { entities, raw } = await manager
      .createQueryBuilder(AgentEntity, 'agent')
      .addSelect(RUNNING_TASKS, 'running')
      .where('agent.id = :id', { id })
      .setLock('pessimistic_write')
      .getRawAndEntities<{ running: number }>();
    return entities.length ? { agent: entities[0], running: raw[0].running } : null;
  }

  /** Locks several agents, in id order so that concurrent writers cannot deadlock on them. */
  lockMany(manager: EntityManager, ids: string[]): Promise<AgentEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return manager
      .createQueryBuilder(AgentEntity, 'agent')
      .where('agent.id = ANY(:ids)', { ids })
      .orderBy('agent.id')
      .setLock('pessimistic_write')
      .getMany();
  }

  /**
   * Writes the workload fields of several agents at once (status, current task, last
   * activity, as the entities hold them; the update time `at`, set on them too), with a
   * history row for each status that moved: one statement.
   */
  async saveWorkloads(
    manager: EntityManager,
    agents: AgentEntity[],
    moved: { agentId: string; status: AgentStatus; previous: AgentStatus }[],
    at: Date,
  ): Promise<void> {
    if (!agents.length) return;
    for (const agent of agents) agent.updatedAt = at;
    await manager.query(
      `WITH written AS (
         UPDATE agents a SET status = w.status, is_active = w.is_active,
                current_task_id = w.current_task_id, current_task_title = w.current_task_title,
                last_activity = w.last_activity, updated_at = w.updated_at
           FROM unnest($1::uuid[], $2::text[], $3::boolean[], $4::uuid[], $5::text[],
                       $6::timestamptz[], $7::timestamptz[])
                AS w(id, status, is_active, current_task_id, current_task_title, last_activity, updated_at)
          WHERE a.id = w.id
          RETURNING a.id
       )
       INSERT INTO agent_status_history (agent_id, status, previous_status, reason)
       SELECT m.agent_id, m.status, m.previous, 'workload'
         FROM unnest($8::uuid[], $9::text[], $10::text[]) AS m(agent_id, status, previous)
         JOIN written ON written.id = m.agent_id`,
      [
        agents.map((agent) => agent.id),
        agents.map((agent) => agent.status),
        agents.map((agent) => agent.isActive),
        agents.map((agent) => agent.currentTaskId),
        agents.map((agent) => agent.currentTaskTitle),
        agents.map((agent) => agent.lastActivity),
        agents.map((agent) => agent.updatedAt),
        moved.map((move) => move.agentId),
        moved.map((move) => move.status),
        moved.map((move) => move.previous),
      ],
    );
  }

  async existingIds(ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.agents
      .createQueryBuilder('agent')
      .select('agent.id', 'id')
      .where('agent.id = ANY(:ids)', { ids })
      .getRawMany<{ id: string }>();
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Moves the agent (the entity, saved by the caller) to `next` and records the change
   * in the history. Returns the previous status, or null when nothing changed.
   */
  async transition(
    manager: EntityManager,
    agent: AgentEntity,
    next: AgentStatus,
    reason: StatusChangeReason,
  ): Promise<AgentStatus | null> {
    if (agent.status === next) return null;
    const previous = agent.status;
    agent.status = next;
    agent.isActive = isActiveStatus(next);
    await this.recordStatus(manager, agent.id, next, previous, reason);
    return previous;
  }

  recordStatus(
    manager: EntityManager,
    agentId: string,
    status: AgentStatus,
    previousStatus: AgentStatus | null,
    reason: StatusChangeReason,
  ): Promise<unknown> {
    return manager.insert(AgentStatusChangeEntity, { agentId, status, previousStatus, reason });
  }

  async countByStatus(): Promise<Record<AgentStatus, number>> {
    const rows = await this.agents
      .createQueryBuilder('agent')
      .select('agent.status', 'status')
      .addSelect('COUNT(*)::int', 'count')
      .groupBy('agent.status')
      .getRawMany<{ status: AgentStatus; count: number }>();
    const counts = Object.fromEntries(AGENT_STATUSES.map((status) => [status, 0])) as Record<
      AgentStatus,
      number
    >;
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  async allIds(): Promise<string[]> {
    const rows = await this.agents
      .createQueryBuilder('agent')
      .select('agent.id', 'id')
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /**
   * Marks every agent silent for `seconds` (no heartbeat since, or never heard from
   * since creation) as offline, with its history row, in one transaction. Rows another
   * writer holds are skipped: that writer is a heartbeat, which keeps them alive.
   */
  async markSilentOffline(
    manager: EntityManager,
    seconds: number,
  ): Promise<{ id: string; previous: AgentStatus }[]> {
    const rows: { id: string; previous: AgentStatus }[] = await manager.query(
      `WITH silent AS (
         SELECT id, status FROM agents
          WHERE status <> ALL($1::text[])
            AND COALESCE(last_heartbeat, created_at) <= now() - make_interval(secs => $2)
          FOR UPDATE SKIP LOCKED
       ), changed AS (
         UPDATE agents a SET status = 'offline', is_active = false, updated_at = now()
           FROM silent s WHERE a.id = s.id
         RETURNING a.id, s.status AS previous
       ), history AS (
         INSERT INTO agent_status_history (agent_id, status, previous_status, reason)
         SELECT id, 'offline', previous, 'sweep' FROM changed
       )
       SELECT id, previous FROM changed`,
      [SWEEP_EXEMPT_STATUSES, seconds],
    );
    return rows;
  }

  /** Candidates for dispatch: the cheap part of the availability rule, in SQL. */
  async dispatchCandidates(options: {
    agentType?: string;
    capabilities?: string[];
    heartbeatAfter: Date;
  }): Promise<AgentEntity[]> {
    const query = this.agents
      .createQueryBuilder('agent')
      .where('agent.isActive = true')
      .andWhere('agent.status IN (:...statuses)', { statuses: WORKING_STATUSES })
      .andWhere('agent.lastHeartbeat > :after', { after: options.heartbeatAfter });
    if (options.agentType) query.andWhere('agent.agentType = :type', { type: options.agentType });
    if (options.capabilities?.length)
      query.andWhere('agent.capabilities @> CAST(:capabilities AS text[])', {
        capabilities: options.capabilities,
      });
    return query.getMany();
  }
}
