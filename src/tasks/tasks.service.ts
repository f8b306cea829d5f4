import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/principal.js';
import { BadRequestError, ConflictError, NotFoundError } from '../common/errors/app-errors.js';
import { type Page, toPage } from '../common/pagination/page.js';
import type {
  CompleteTaskDto,
  FailTaskDto,
  ProgressTaskDto,
  TaskDependenciesDto,
} from './dto/task-actions.dto.js';
import type {
  CreateTaskDto,
  ListTasksQuery,
  TaskResponseDto,
  TaskWritableFields,
  UpdateTaskDto,
  V1ListTasksQuery,
  V1TaskResponseDto,
} from './dto/task.dto.js';
import type {
  V1AssignTaskDto,
  TaskV1MessageDto,
  V1TaskProgressDto,
  V1TaskStatusDto,
  V1UpdateTaskDto,
} from './dto/task-v1.dto.js';
import { TaskEntity } from './entities/task.entity.js';
import { TaskEffects } from './task-effects.js';
import { TaskGraphService } from './task-graph.service.js';
import { type ActionBody, TaskLifecycleService } from './task-lifecycle.service.js';
import type { TaskAction } from './task-state.js';
import { toTaskResponse, toV1TaskResponse } from './task.mapper.js';
import { TasksRepository } from './tasks.repository.js';
import { TaskViews } from './task-views.service.js';

function applyWritableFields(task: TaskEntity, dto: TaskWritableFields): void {
  if (dto.description !== undefined) task.description = dto.description;
  if (dto.priority !== undefined) task.priority = dto.priority;
  if (dto.task_type !== undefined) task.taskType = dto.task_type;
  if (dto.tags !== undefined) task.tags = dto.tags;
  if (dto.metadata !== undefined) task.metadata = dto.metadata;
  if (dto.workflow_id !== undefined) task.workflowId = dto.workflow_id;
  if (dto.run_id !== undefined) task.runId = dto.run_id;
  if (dto.estimated_duration_minutes !== undefined)
    task.estimatedDurationMinutes = dto.estimated_duration_minutes;
  if (dto.complexity_score !== undefined) task.complexityScore = dto.complexity_score;
  if (dto.effort_points !== undefined) task.effortPoints = dto.effort_points;
  if (dto.due_date !== undefined) task.dueDate = dto.due_date ? new Date(dto.due_date) : null;
  if (dto.is_urgent !== undefined) task.isUrgent = dto.is_urgent;
  if (dto.requires_review !== undefined) task.requiresReview = dto.requires_review;
}

/** A task made in a batch: its columns, and the ids of the tasks it depends on. */
export type NewTaskSpec = Partial<TaskEntity> & { id: string; title: string; dependsOn: string[] };

/** Tasks over one store for v1 and v2: reads, writes and the routes' answers. */
@Injectable()
export class TasksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: TasksRepository,
    private readonly graph: TaskGraphService,
    private readonly lifecycle: TaskLifecycleService,
    private readonly views: TaskViews,
    private readonly agents: AgentsService,
  ) {}

  async list(query: ListTasksQuery): Promise<Page<TaskResponseDto>> {
    const [tasks, total] = await this.repository.list(query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: query.sort_by,
      sortOrder: query.sort_order,
    });
    return toPage((await this.views.snapshots(tasks)).map(toTaskResponse), total, query);
  }

  async listV1(query: V1ListTasksQuery): Promise<V1TaskResponseDto[]> {
    const tasks = await this.repository.listV1(query, query.skip, query.limit);
    return (await this.views.snapshots(tasks)).map(toV1TaskResponse);
  }

  async get(id: string): Promise<TaskResponseDto> {
    return this.v2(await this.find(id));
  }

  async getV1(id: string): Promise<V1TaskResponseDto> {
    return this.v1(await this.find(id));
  }

  dependencies(id: string): Promise<TaskDependenciesDto> {
    return this.graph.describe(id);
  }

  async create(dto: CreateTaskDto): Promise<TaskResponseDto> {
    return this.v2(await this.createTask(dto));
  }

  async createV1(dto: CreateTaskDto): Promise<V1TaskResponseDto> {
    return this.v1(await this.createTask(dto));
  }

  async update(id: string, dto: UpdateTaskDto): Promise<TaskResponseDto> {
    return this.v2(await this.updateTask(id, dto));
  }

  async updateV1(id: string, dto: V1UpdateTaskDto): Promise<V1TaskResponseDto> {
    return this.v1(await this.updateTask(id, dto));
  }

  async assignV1(id: string, dto: V1AssignTaskDto): Promise<V1TaskResponseDto> {
    return this.v1(await this.updateTask(id, { assigned_agent_id: dto.assigned_agent_id }));
  }

  async act(
    id: string,
    action: TaskAction,
    body: CompleteTaskDto | FailTaskDto | ActionBody,
    actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.v2(await this.lifecycle.act(id, action, body, actor));
  }

  async progress(id: string, dto: ProgressTaskDto, actor: Principal): Promise<TaskResponseDto> {
    return this.v2(await this.lifecycle.progress(id, dto, actor));
  }

  async setStatusV1(
    id: string,
    dto: V1TaskStatusDto,
    actor: Principal,
  ): Promise<V1TaskResponseDto> {
    return this.v1(await this.lifecycle.setStatusV1(id, dto, actor));
  }

  async progressV1(
    id: string,
    dto: V1TaskProgressDto,
    actor: Principal,
  ): Promise<V1TaskResponseDto> {
    return this.v1(await this.lifecycle.progressV1(id, dto, actor));
  }

  async addDependency(id: string, dependencyId: string): Promise<TaskResponseDto> {
    return this.v2(await this.addEdge(id, dependencyId));
  }

  async addDependencyV1(id: string, dependencyId: string): Promise<V1TaskResponseDto> {
    return this.v1(await this.addEdge(id, dependencyId));
  }

  /** v2: removing an edge that does not exist is a 404. */
  async removeDependency(id: string, dependencyId: string): Promise<TaskResponseDto> {
    return this.v2(
      await this.changeEdge(id, async (m, t, e) => {
        if (!(await this.graph.removeEdge(m, t, dependencyId, e)))
          throw new NotFoundError(`Dependency ${dependencyId} of task ${id}`);
      }),
    );
  }

  /** v1: as the original, removing an absent edge quietly succeeds. */
  async removeDependencyV1(id: string, dependencyId: string): Promise<V1TaskResponseDto> {
    return this.v1(
      await this.changeEdge(id, async (m, t, e) => {
        await this.graph.removeEdge(m, t, dependencyId, e);
      }),
    );
  }

  /**
   * Tasks for the steps of a workflow run, inside the caller's transaction. Their ids
   * are chosen by the caller and `dependsOn` names other tasks of the batch (or
   * existing ones); the caller checked that the graph is acyclic, so no cycle checks
   * run here. Announce them after commit (`effects.created`).
   */
  async createBatch(manager: EntityManager, specs: NewTaskSpec[]): Promise<void> {
    await this.repository.insertMany(
      manager,
      specs.map(({ dependsOn: _edges, ...task }) => ({ status: 'pending', ...task })),
    );
    await this.repository.insertEdgePairs(
      manager,
      specs.flatMap((spec) =>
        spec.dependsOn.map((dependsOnId) => ({ taskId: spec.id, dependsOnId })),
      ),
    );
  }

  async remove(id: string, force = false): Promise<void> {
    await this.deleteTask(id, force);
  }

  async removeV1(id: string, force = false): Promise<TaskV1MessageDto> {
    await this.deleteTask(id, force);
    return { message: 'Task deleted successfully' };
  }

  /**
   * Deletes a task. Tasks depending on it → 409 unless `force`, which removes those
   * edges (the dependents are then released or become ready as their other
   * dependencies allow). Also the bulk `delete`.
   */
  async deleteTask(id: string, force: boolean): Promise<void> {
    const effects = new TaskEffects();
    await this.dataSource.transaction(async (manager) => {
      const task = await this.lifecycle.lockOrFail(manager, id);
      const dependents = await this.repository.dependents(manager, id);
      if (dependents.length && !force)
        throw new ConflictError(
          `${dependents.length} task(s) depend on task ${id}; delete with force=true to remove those dependencies`,
          { dependents: dependents.map((dep) => dep.id) },
        );
      // The task as it last was travels with the deletion (feeds keep showing it).
      const last = toTaskResponse(await this.views.snapshot(task));
      await manager.delete(TaskEntity, { id });
      const released = await this.repository.lockMany(
        manager,
        dependents.map((dep) => dep.id),
      );
      await this.graph.settle(manager, released, effects, { announceReady: true });
      for (const dependent of released) effects.updated.add(dependent.id);
      if (task.assignedAgentId && task.status === 'in_progress') {
        const workload = await this.agents.refreshWorkload(manager, task.assignedAgentId, {
          finished: id,
        });
        if (workload) effects.agent(workload.agent, workload.previousStatus);
      }
      effects.deleted.push({
        task_id: id,
        run_id: task.runId,
        workflow_id: task.workflowId,
        agent_id: task.assignedAgentId,
        task: { ...last },
      });
    });
    await this.views.announce(effects);
  }

  /**
   * Applies an update body to a locked task: writable fields, assignment (the agent
   * must exist; not while in progress) and, for v1, a status change through the state
   * machine. Also the bulk `update` and `assign`.
   */
  async applyUpdate(
    manager: EntityManager,
    task: TaskEntity,
    dto: V1UpdateTaskDto,
    effects: TaskEffects,
  ): Promise<void> {
    if (dto.assigned_agent_id !== undefined && dto.assigned_agent_id !== task.assignedAgentId) {
      if (task.status === 'in_progress')
        throw new ConflictError(
          'A task in progress cannot change agents; complete, fail or cancel it first',
          { current_status: task.status },
        );
      if (dto.assigned_agent_id) await this.assertAgentExists(dto.assigned_agent_id, manager);
      task.assignedAgentId = dto.assigned_agent_id;
      if (task.assignedAgentId) effects.assigned.add(task.id);
    }
    if (dto.title !== undefined) task.title = dto.title;
    applyWritableFields(task, dto);
    if (dto.quality_score !== undefined) task.qualityScore = dto.quality_score;
    await manager.save(task);
    effects.updated.add(task.id);
    if (dto.status !== undefined && dto.status !== task.status)
      await this.lifecycle.apply(
        manager,
        task,
        this.lifecycle.actionFor(task, dto.status),
        {},
        effects,
      );
    // v1 clients send whole objects: an unchanged progress is not a progress report.
    if (
      dto.progress_percentage !== undefined &&
      dto.progress_percentage !== task.progressPercentage
    )
      await this.lifecycle.report(manager, task, { percentage: dto.progress_percentage }, effects);
  }

  private async createTask(dto: CreateTaskDto): Promise<TaskEntity> {
    const effects = new TaskEffects();
    if (dto.assigned_agent_id) await this.assertAgentExists(dto.assigned_agent_id);
    const dependencies = [...new Set(dto.dependencies ?? [])];
    const task = await this.dataSource.transaction(async (manager) => {
      await this.graph.assertDependenciesExist(manager, dependencies);
      const task = manager.create(TaskEntity, { title: dto.title, status: 'pending' });
      applyWritableFields(task, dto);
      task.assignedAgentId = dto.assigned_agent_id ?? null;
      const saved = await manager.save(task);
      // A new task has no dependents, so its edges cannot close a cycle.
      await this.repository.insertEdges(manager, saved.id, dependencies);
      await this.graph.settle(manager, [saved], effects);
      return saved;
    });
    effects.created.add(task.id);
    if (task.assignedAgentId) effects.assigned.add(task.id);
    await this.views.announce(effects);
    return task;
  }

  private async updateTask(id: string, dto: V1UpdateTaskDto): Promise<TaskEntity> {
    const effects = new TaskEffects();
    const task = await this.dataSource.transaction(async (manager) => {
      const task = await this.lifecycle.lockOrFail(manager, id);
      await this.applyUpdate(manager, task, dto, effects);
      return task;
    });
    await this.views.announce(effects);
    return task;
  }

  private addEdge(id: string, dependencyId: string): Promise<TaskEntity> {
    return this.changeEdge(
      id,
      (manager, task, effects) => this.graph.addEdge(manager, task, dependencyId, effects),
      { graphLock: true },
    );
  }

  private async changeEdge(
    id: string,
    change: (manager: EntityManager, task: TaskEntity, effects: TaskEffects) => Promise<void>,
    options: { graphLock?: boolean } = {},
  ): Promise<TaskEntity> {
    const effects = new TaskEffects();
    const task = await this.dataSource.transaction(async (manager) => {
      if (options.graphLock) await this.repository.lockGraph(manager);
      const task = await this.lifecycle.lockOrFail(manager, id);
      await change(manager, task, effects);
      return task;
    });
    await this.views.announce(effects);
    return task;
  }

  private async assertAgentExists(agentId: string, manager?: EntityManager): Promise<void> {
    try {
      await this.agents.find(agentId, manager);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new BadRequestError(`Assigned agent ${agentId} not found`, [
        { field: 'assigned_agent_id', message: 'no such agent' },
      ]);
    }
  }

  private async find(id: string): Promise<TaskEntity> {
    const task = await this.repository.findById(id);
    if (!task) throw new NotFoundError('Task', id);
    return task;
  }

  private async v2(task: TaskEntity): Promise<TaskResponseDto> {
    return toTaskResponse(await this.views.snapshot(task));
  }

  private async v1(task: TaskEntity): Promise<V1TaskResponseDto> {
    return toV1TaskResponse(await this.views.snapshot(task));
  }
}
