import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
} from './dto/task.dto.js';
import type { V1UpdateTaskDto } from './dto/task-v1.dto.js';
import { TaskEntity } from './entities/task.entity.js';
import { TaskChanges, type TaskEffects } from './task-changes.service.js';
import { TaskDependencies } from './task-dependencies.service.js';
import { type ActionBody, TaskMoves } from './task-moves.service.js';
import type { TaskAction } from './task-state.js';
import { type TaskSnapshot, toTaskResponse } from './task.mapper.js';
import { TasksRepository } from './tasks.repository.js';

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

/**
 * Tasks: reads, writes and the v2 routes' answers. The entity-level methods (`find`,
 * `createTask`, `updateTask`, `changeEdge`, `deleteTask`) serve the v1 adapter
 * (`TasksV1Service`) and bulk operations as well.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly repository: TasksRepository,
    private readonly graph: TaskDependencies,
    private readonly moves: TaskMoves,
    private readonly changes: TaskChanges,
    private readonly agents: AgentsService,
  ) {}

  async list(query: ListTasksQuery): Promise<Page<TaskResponseDto>> {
    const [tasks, total] = await this.repository.list(query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: query.sort_by,
      sortOrder: query.sort_order,
    });
    return toPage((await this.repository.snapshots(tasks)).map(toTaskResponse), total, query);
  }

  async get(id: string): Promise<TaskResponseDto> {
    return this.v2(await this.find(id));
  }

  dependencies(id: string): Promise<TaskDependenciesDto> {
    return this.graph.describe(id);
  }

  async create(dto: CreateTaskDto): Promise<TaskResponseDto> {
    return this.v2(await this.createTask(dto));
  }

  async update(id: string, dto: UpdateTaskDto): Promise<TaskResponseDto> {
    return this.v2(await this.updateTask(id, dto));
  }

  async act(
    id: string,
    action: TaskAction,
    body: CompleteTaskDto | FailTaskDto | ActionBody,
    actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.v2(await this.moves.act(id, action, body, actor));
  }

  async progress(id: string, dto: ProgressTaskDto, actor: Principal): Promise<TaskResponseDto> {
    return this.v2(await this.moves.progress(id, dto, actor));
  }

  async addDependency(id: string, dependencyId: string): Promise<TaskResponseDto> {
    return this.v2(await this.addEdge(id, dependencyId));
  }

  /** v2: removing an edge that does not exist is a 404. */
  async removeDependency(id: string, dependencyId: string): Promise<TaskResponseDto> {
    return this.v2(await this.removeEdge(id, dependencyId, { mustExist: true }));
  }

  /** Removes "task depends on dependency"; without `mustExist` an absent edge is no error. */
  removeEdge(
    id: string,
    dependencyId: string,
    options: { mustExist: boolean },
  ): Promise<TaskEntity> {
    return this.changeEdge(id, async (manager, task, effects) => {
      const removed = await this.graph.removeEdge(manager, task, dependencyId, effects);
      if (!removed && options.mustExist)
        throw new NotFoundError(`Dependency ${dependencyId} of task ${id}`);
    });
  }

  async remove(id: string, force = false): Promise<void> {
    await this.deleteTask(id, force);
  }
  /**
   * Deletes a task. Tasks depending on it → 409 unless `force`, which removes those
   * edges (the dependents are then released or become ready as their other
   * dependencies allow). Also the bulk `delete`.
   */
  async deleteTask(id: string, force: boolean): Promise<void> {
    await this.changes.run(async (manager, effects) => {
      const task = await this.moves.lockOrFail(manager, id);
      const dependents = await this.repository.dependents(manager, id);
      if (dependents.length && !force)
        throw new ConflictError(
          `${dependents.length} task(s) depend on task ${id}; delete with force=true to remove those dependencies`,
          { dependents: dependents.map((dep) => dep.id) },
        );
      // The task as it last was travels with the deletion (feeds keep showing it).
      const last = toTaskResponse(await this.snapshot(task, manager));
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
        if (workload) effects.agent(workload);
      }
      effects.deleted.push({
        task_id: id,
        run_id: task.runId,
        workflow_id: task.workflowId,
        agent_id: task.assignedAgentId,
        task: { ...last },
      });
    });
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
      await this.moves.apply(manager, task, this.moves.actionFor(task, dto.status), {}, effects);
    // v1 clients send whole objects: an unchanged progress is not a progress report.
    if (
      dto.progress_percentage !== undefined &&
      dto.progress_percentage !== task.progressPercentage
    )
      await this.moves.report(manager, task, { percentage: dto.progress_percentage }, effects);
  }

  async createTask(dto: CreateTaskDto): Promise<TaskEntity> {
    if (dto.assigned_agent_id) await this.assertAgentExists(dto.assigned_agent_id);
    const dependencies = [...new Set(dto.dependencies ?? [])];
    return this.changes.run(async (manager, effects) => {
      await this.graph.assertDependenciesExist(manager, dependencies);
      const task = manager.create(TaskEntity, { title: dto.title, status: 'pending' });
      applyWritableFields(task, dto);
      task.assignedAgentId = dto.assigned_agent_id ?? null;
      const saved = await manager.save(task);
      // A new task has no dependents, so its edges cannot close a cycle.
      await this.repository.insertEdges(manager, saved.id, dependencies);
      await this.graph.settle(manager, [saved], effects);
      effects.created.add(saved.id);
      if (saved.assignedAgentId) effects.assigned.add(saved.id);
      return saved;
    });
  }

  updateTask(id: string, dto: V1UpdateTaskDto): Promise<TaskEntity> {
    return this.changes.run(async (manager, effects) => {
      const task = await this.moves.lockOrFail(manager, id);
      await this.applyUpdate(manager, task, dto, effects);
      return task;
    });
  }

  addEdge(id: string, dependencyId: string): Promise<TaskEntity> {
    return this.changeEdge(
      id,
      (manager, task, effects) => this.graph.addEdge(manager, task, dependencyId, effects),
      { graphLock: true },
    );
  }

  private changeEdge(
    id: string,
    change: (manager: EntityManager, task: TaskEntity, effects: TaskEffects) => Promise<void>,
    options: { graphLock?: boolean } = {},
  ): Promise<TaskEntity> {
    return this.changes.run(async (manager, effects) => {
      if (options.graphLock) await this.repository.lockGraph(manager);
      const task = await this.moves.lockOrFail(manager, id);
      await change(manager, task, effects);
      return task;
    });
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

  async find(id: string): Promise<TaskEntity> {
    const task = await this.repository.findById(id);
    if (!task) throw new NotFoundError('Task', id);
    return task;
  }

  async snapshot(task: TaskEntity, manager?: EntityManager): Promise<TaskSnapshot> {
    return (await this.repository.snapshots([task], manager))[0];
  }

  private async v2(task: TaskEntity): Promise<TaskResponseDto> {
    return toTaskResponse(await this.snapshot(task));
  }
}
