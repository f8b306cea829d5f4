import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { likePattern } from '../database/sql.js';
import { analyzeIfOutgrown } from '../database/statistics.js';
import type { SortOrder } from '../common/pagination/page.js';
import type { TaskFilters, TaskSortField } from './dto/task.dto.js';
import { TaskDependencyEntity } from './entities/task-dependency.entity.js';
import { TaskEntity } from './entities/task.entity.js';
import type { DependencyState } from './task-graph.js';
import type { TaskSnapshot } from './task.mapper.js';
import type { TaskStatus } from './task-state.js';

export interface TaskPage {
  skip: number;
  limit: number;
  sortBy: TaskSortField;
  sortOrder: SortOrder;
}

/** What `insertMany` writes of a new task. */
export type NewTaskRow = Pick<
  TaskEntity,
  | 'id'
  | 'title'
  | 'description'
  | 'status'
  | 'priority'
  | 'taskType'
  | 'metadata'
  | 'estimatedDurationMinutes'
  | 'workflowId'
  | 'runId'
  | 'stepKey'
  | 'assignedAgentId'
  | 'startedAt'
  | 'completedAt'
  | 'error'
>;

/** A task as its insert answered it. */
export interface WrittenTask {
  task: TaskEntity;
  agentName: string | null;
  /** The row's version (`xmin`): another writer's change gives it another. */
  version: string;
}

export interface TaskLinks {
  dependencies: string[];
  dependents: string[];
}

export interface LinkedTask extends DependencyState {
  title: string;
}

const SORT_COLUMNS: Record<TaskSortField, string> = {
  created_at: 'task.createdAt',
  updated_at: 'task.updatedAt',
  due_date: 'task.dueDate',
  title: 'task.title',
  status: 'task.status',
  // By importance, not alphabetically.
  priority:
    "CASE task.priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END",
};

/**
 * What a task's representation shows beside its row, as select expressions over the
 * columns holding its id and its agent's: the agent's name, its dependencies and its
 * dependents (each in id order).
 */
function snapshotExtras(id: string, agentId: string): Record<keyof SnapshotExtras, string> {
  return {
    agent_name: `(SELECT a.name FROM agents a WHERE a.id = ${agentId})`,
    dependency_ids: `ARRAY(SELECT d.depends_on_id::text FROM task_dependencies d
                            WHERE d.task_id = ${id} ORDER BY d.depends_on_id)`,
    dependent_ids: `ARRAY(SELECT d.task_id::text FROM task_dependencies d
                           WHERE d.depends_on_id = ${id} ORDER BY d.task_id)`,
  };
}

interface SnapshotExtras {
  agent_name: string | null;
  dependency_ids: string[];
  dependent_ids: string[];
}

function toSnapshot(task: TaskEntity, extras: SnapshotExtras | undefined): TaskSnapshot {
  return {
    task,
    agentName: task.assignedAgentId ? (extras?.agent_name ?? null) : null,
    links: { dependencies: extras?.dependency_ids ?? [], dependents: extras?.dependent_ids ?? [] },
  };
}

/** SQL of "every dependency completed" for the task aliased `task`. */
const ALL_DEPENDENCIES_COMPLETED = `NOT EXISTS (
  SELECT 1 FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
   WHERE d.task_id = task.id AND dep.status <> 'completed')`;

/** Every query on tasks and the dependency graph. */
@Injectable()
export class TasksRepository {
  constructor(@InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>) {}

  async list(filters: TaskFilters, page: TaskPage): Promise<[TaskEntity[], number]> {
    return this.ordered(filters, page).getManyAndCount();
  }

  /** A page without the total (v1 answers a bare array). */
  rows(filters: TaskFilters, page: TaskPage): Promise<TaskEntity[]> {
    return this.ordered(filters, page).getMany();
  }

  private ordered(filters: TaskFilters, page: TaskPage): SelectQueryBuilder<TaskEntity> {
    const query = this.filtered(filters);
    if (page.sortBy === 'priority')
      query
        .addSelect(SORT_COLUMNS.priority, 'priority_rank')
        .orderBy('priority_rank', page.sortOrder === 'asc' ? 'ASC' : 'DESC');
    else
      query.orderBy(
        SORT_COLUMNS[page.sortBy],
        page.sortOrder === 'asc' ? 'ASC' : 'DESC',
        'NULLS LAST',
      );
    return query.addOrderBy('task.id', 'ASC').skip(page.skip).take(page.limit);
  }

  private filtered(filters: TaskFilters): SelectQueryBuilder<TaskEntity> {
    const query = this.tasks.createQueryBuilder('task');
    if (filters.status) query.andWhere('task.status = :status', { status: filters.status });
    if (filters.priority)
      query.andWhere('task.priority = :priority', { priority: filters.priority });
    if (filters.assigned_agent_id)
      query.andWhere('task.assignedAgentId = :agentId', { agentId: filters.assigned_agent_id });
    if (filters.workflow_id)
      query.andWhere('task.workflowId = :workflowId', { workflowId: filters.workflow_id });
    if (filters.run_id) query.andWhere('task.runId = :runId', { runId: filters.run_id });
    if (filters.task_type)
      query.andWhere('task.taskType = :taskType', { taskType: filters.task_type });
    if (filters.tags?.length)
      query.andWhere('task.tags && CAST(:tags AS text[])', { tags: filters.tags });
    if (filters.is_urgent !== undefined)
      query.andWhere('task.isUrgent = :urgent', { urgent: filters.is_urgent });
    if (filters.is_blocked !== undefined)
      query.andWhere(filters.is_blocked ? "task.status = 'blocked'" : "task.status <> 'blocked'");
    if (filters.search)
      query.andWhere(
        "(task.title ILIKE :search ESCAPE '\\' OR task.description ILIKE :search ESCAPE '\\')",
        {
          search: likePattern(filters.search),
        },
      );
    if (filters.ready !== undefined) {
      const ready = `(task.status = 'pending' AND ${ALL_DEPENDENCIES_COMPLETED})`;
      query.andWhere(filters.ready ? ready : `NOT ${ready}`);
    }
    return query;
  }

  findById(id: string, manager?: EntityManager): Promise<TaskEntity | null> {
    return (manager ?? this.tasks.manager).findOne(TaskEntity, { where: { id } });
  }

  /** Reads the task and holds its row until the transaction ends. */
  lock(manager: EntityManager, id: string): Promise<TaskEntity | null> {
    return manager.findOne(TaskEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Locks a task unless another transaction holds it now (then null). */
  lockIfFree(manager: EntityManager, id: string): Promise<TaskEntity | null> {
    return manager
      .createQueryBuilder(TaskEntity, 'task')
      .where('task.id = :id', { id })
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getOne();
  }

  /** Writes a task's state as another system reported it. */
  async writeState(
    manager: EntityManager,
    id: string,
    state: Pick<TaskEntity, 'status' | 'assignedAgentId' | 'startedAt' | 'completedAt' | 'error'>,
  ): Promise<void> {
    await manager.update(TaskEntity, { id }, state);
  }

  /** Locks several tasks, always in id order so that concurrent writers cannot deadlock on them. */
  lockMany(manager: EntityManager, ids: string[]): Promise<TaskEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return manager
      .createQueryBuilder(TaskEntity, 'task')
      .where('task.id = ANY(:ids)', { ids })
      .orderBy('task.id')
      .setLock('pessimistic_write')
      .getMany();
  }

  /** Holds the dependency's row against status changes while an edge to it is added. */
  async lockShared(manager: EntityManager, id: string): Promise<TaskEntity | null> {
    return manager.findOne(TaskEntity, { where: { id }, lock: { mode: 'pessimistic_read' } });
  }

  /** Serialises changes to the graph's edges, so two concurrent edges cannot close a cycle. */
  async lockGraph(manager: EntityManager): Promise<void> {
    await manager.query("SELECT pg_advisory_xact_lock(hashtext('subforge.task_graph'))");
  }

  /** The dependencies of each task with their states. */
  async dependencyStates(
    manager: EntityManager,
    taskIds: string[],
  ): Promise<Map<string, LinkedTask[]>> {
    const states = new Map<string, LinkedTask[]>(taskIds.map((id) => [id, []]));
    if (!taskIds.length) return states;
    const rows: { task_id: string; id: string; title: string; status: TaskStatus }[] =
      await manager.query(
        `SELECT d.task_id, t.id, t.title, t.status FROM task_dependencies d
         JOIN tasks t ON t.id = d.depends_on_id
        WHERE d.task_id = ANY($1::uuid[]) ORDER BY t.created_at, t.id`,
        [taskIds],
      );
    for (const row of rows)
      states.get(row.task_id)!.push({ id: row.id, title: row.title, status: row.status });
    return states;
  }

  async dependents(manager: EntityManager, taskId: string): Promise<LinkedTask[]> {
    const dependents = await this.dependentsWithStates(manager, taskId, false);
    return dependents.map(({ id, title, status }) => ({ id, title, status }));
  }

  /**
   * The tasks depending on `taskId`; with `states`, each pending one with its dependencies'
   * states (`dependencies`, null for the others): what completing `taskId` may make ready,
   * in one read.
   */
  async dependentsWithStates(
    manager: EntityManager,
    taskId: string,
    states: boolean,
  ): Promise<(LinkedTask & { dependencies: LinkedTask[] | null })[]> {
    return manager.query(
      `SELECT t.id, t.title, t.status,
              CASE WHEN $2 AND t.status = 'pending' THEN (
                SELECT json_agg(json_build_object('id', p.id, 'title', p.title, 'status', p.status)
                                ORDER BY p.created_at, p.id)
                  FROM task_dependencies e JOIN tasks p ON p.id = e.depends_on_id
                 WHERE e.task_id = t.id) END AS dependencies
         FROM task_dependencies d JOIN tasks t ON t.id = d.task_id
        WHERE d.depends_on_id = $1 ORDER BY t.created_at, t.id`,
      [taskId, states],
    );
  }

  /** Every edge reachable from `fromId` along dependencies: the part of the graph a new edge could close. */
  async reachableEdges(
    manager: EntityManager,
    fromId: string,
  ): Promise<{ taskId: string; dependsOnId: string }[]> {
    const rows: { task_id: string; depends_on_id: string }[] = await manager.query(
      `WITH RECURSIVE reach(id) AS (
         SELECT $1::uuid
         UNION
         SELECT d.depends_on_id FROM task_dependencies d JOIN reach r ON d.task_id = r.id
       )
       SELECT d.task_id, d.depends_on_id FROM task_dependencies d JOIN reach r ON d.task_id = r.id`,
      [fromId],
    );
    return rows.map((row) => ({ taskId: row.task_id, dependsOnId: row.depends_on_id }));
  }

  async insertEdges(manager: EntityManager, taskId: string, dependsOnIds: string[]): Promise<void> {
    if (!dependsOnIds.length) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(TaskDependencyEntity)
      .values(dependsOnIds.map((dependsOnId) => ({ taskId, dependsOnId })))
      .orIgnore()
      .execute();
  }

  /** Moves locked pending tasks to in_progress on their agents, all at once. */
  async markStarted(
    manager: EntityManager,
    starts: { taskId: string; agentId: string }[],
    at: Date,
  ): Promise<void> {
    if (!starts.length) return;
    await manager.query(
      `UPDATE tasks t SET status = 'in_progress', assigned_agent_id = s.agent_id, started_at = $3,
              completed_at = NULL, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[]) AS s(task_id, agent_id)
        WHERE t.id = s.task_id`,
      [starts.map((start) => start.taskId), starts.map((start) => start.agentId), at],
    );
  }

  /**
   * Inserts tasks whose ids the caller chose (a run's steps, up to 2,000) in one statement
   * with one parameter; the other columns take their defaults. Building TypeORM's insert
   * of 1,000 tasks (27,000 parameters) cost the API about 100 ms of CPU.
   *
   * Answers the rows as stored (defaults filled in), each with its agent's name and its
   * row version, in the order given. Each value goes through the driver's hydration, not
   * TypeORM's whole result transformer (which took 25 ms for 1,000 tasks read back).
   */
  async insertMany(manager: EntityManager, tasks: NewTaskRow[]): Promise<WrittenTask[]> {
    if (!tasks.length) return [];
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO tasks (id, title, description, status, priority, task_type, metadata,
                          estimated_duration_minutes, workflow_id, run_id, step_key,
                          assigned_agent_id, started_at, completed_at, error)
       SELECT id, title, description, status, priority, "taskType", metadata,
              "estimatedDurationMinutes", "workflowId", "runId", "stepKey",
              "assignedAgentId", "startedAt", "completedAt", error
         FROM jsonb_to_recordset($1::jsonb) AS t(
              id uuid, title varchar, description text, status varchar, priority varchar,
              "taskType" varchar, metadata jsonb, "estimatedDurationMinutes" integer,
              "workflowId" uuid, "runId" uuid, "stepKey" varchar, "assignedAgentId" uuid,
              "startedAt" timestamptz, "completedAt" timestamptz, error text)
       RETURNING *, xmin::text AS row_version,
                 (SELECT a.name FROM agents a WHERE a.id = tasks.assigned_agent_id) AS agent_name`,
      [JSON.stringify(tasks)],
    );
    const { metadata } = this.tasks;
    const { driver } = this.tasks.manager.dataSource;
    const byId = new Map(rows.map((row) => [row.id as string, row]));
    return tasks.map(({ id }) => {
      const row = byId.get(id);
      if (!row) throw new Error(`task ${id} was not answered by its insert`);
      const task = metadata.create() as TaskEntity;
      for (const column of metadata.columns)
        column.setEntityValue(task, driver.prepareHydratedValue(row[column.databaseName], column));
      return {
        task,
        agentName: row.agent_name as string | null,
        version: row.row_version as string,
      };
    });
  }

  /** Of tasks written at the versions given, those changed (or deleted) since by another writer. */
  async changedSince(written: { id: string; version: string }[]): Promise<Set<string>> {
    if (!written.length) return new Set();
    const rows: { id: string }[] = await this.tasks.manager.query(
      `SELECT w.id FROM unnest($1::uuid[], $2::text[]) AS w(id, version)
         LEFT JOIN tasks t ON t.id = w.id
        WHERE t.id IS NULL OR t.xmin::text <> w.version`,
      [written.map((task) => task.id), written.map((task) => task.version)],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Inserts many edges at once (the caller knows they close no cycle). */
  async insertEdgePairs(
    manager: EntityManager,
    pairs: { taskId: string; dependsOnId: string }[],
  ): Promise<void> {
    if (!pairs.length) return;
    await manager.query(
      `INSERT INTO task_dependencies (task_id, depends_on_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
      [pairs.map((pair) => pair.taskId), pairs.map((pair) => pair.dependsOnId)],
    );
  }

  async deleteEdge(manager: EntityManager, taskId: string, dependsOnId: string): Promise<boolean> {
    const result = await manager.delete(TaskDependencyEntity, { taskId, dependsOnId });
    return (result.affected ?? 0) > 0;
  }

  async existingIds(manager: EntityManager, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: { id: string }[] = await manager.query(
      'SELECT id FROM tasks WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** After tasks and edges were added at once: the planner's statistics, if they are stale. */
  async refreshStatistics(added: { tasks: number; edges: number }): Promise<void> {
    const { dataSource } = this.tasks.manager;
    await Promise.all([
      analyzeIfOutgrown(dataSource, 'tasks', added.tasks),
      analyzeIfOutgrown(dataSource, 'task_dependencies', added.edges),
    ]);
  }

  /**
   * The tasks of `ids` with their links and agent names, read in one statement (an
   * announcement after every task change reads them: three statements were a fifth of a
   * step completion's).
   */
  async findSnapshots(ids: string[]): Promise<TaskSnapshot[]> {
    if (!ids.length) return [];
    const query = this.tasks.createQueryBuilder('task').where('task.id = ANY(:ids)', { ids });
    for (const [alias, expression] of Object.entries(
      snapshotExtras('task.id', 'task.assigned_agent_id'),
    ))
      query.addSelect(expression, alias);
    const { entities, raw } = await query.getRawAndEntities<SnapshotExtras & { task_id: string }>();
    const extras = new Map(raw.map((row) => [row.task_id, row]));
    return entities.map((task) => toSnapshot(task, extras.get(task.id)));
  }

  /**
   * Tasks already read, with their links and agent names (as the responses and events show
   * them) in one statement; inside a transaction, pass its manager (a second connection
   * while holding one can starve the pool).
   */
  async snapshots(tasks: TaskEntity[], manager?: EntityManager): Promise<TaskSnapshot[]> {
    if (!tasks.length) return [];
    const columns = Object.entries(snapshotExtras('x.id', 'x.agent_id'))
      .map(([alias, expression]) => `${expression} AS ${alias}`)
      .join(', ');
    const rows: (SnapshotExtras & { id: string })[] = await (manager ?? this.tasks.manager).query(
      `SELECT x.id, ${columns} FROM unnest($1::uuid[], $2::uuid[]) AS x(id, agent_id)`,
      [tasks.map((task) => task.id), tasks.map((task) => task.assignedAgentId)],
    );
    const extras = new Map(rows.map((row) => [row.id, row]));
    return tasks.map((task) => toSnapshot(task, extras.get(task.id)));
  }
}
