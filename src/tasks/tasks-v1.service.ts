import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { BadRequestError } from '../common/errors/app-errors.js';
import type { CreateTaskDto, V1ListTasksQuery, V1TaskResponseDto } from './dto/task.dto.js';
import type {
  TaskV1MessageDto,
  V1AssignTaskDto,
  V1BulkUpdateDto,
  V1TaskProgressDto,
  V1TaskStatusDto,
  V1UpdateTaskDto,
} from './dto/task-v1.dto.js';
import type { TaskEntity } from './entities/task.entity.js';
import { TaskChanges } from './task-changes.service.js';
import { TaskMoves } from './task-moves.service.js';
import { toV1TaskResponse } from './task.mapper.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

/** The v1 tasks API as an adapter over the v2 services: the same store, the original shapes. */
@Injectable()
export class TasksV1Service {
  constructor(
    private readonly tasks: TasksService,
    private readonly moves: TaskMoves,
    private readonly changes: TaskChanges,
    private readonly repository: TasksRepository,
  ) {}

  /** Newest first, as the original; no total. */
  async list(query: V1ListTasksQuery): Promise<V1TaskResponseDto[]> {
    const tasks = await this.repository.rows(query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: 'created_at',
      sortOrder: 'desc',
    });
    return this.v1List(tasks);
  }

  async get(id: string): Promise<V1TaskResponseDto> {
    return this.v1(await this.tasks.find(id));
  }

  async create(dto: CreateTaskDto): Promise<V1TaskResponseDto> {
    return this.v1(await this.tasks.createTask(dto));
  }

  async update(id: string, dto: V1UpdateTaskDto): Promise<V1TaskResponseDto> {
    return this.v1(await this.tasks.updateTask(id, dto));
  }

  async assign(id: string, dto: V1AssignTaskDto): Promise<V1TaskResponseDto> {
    return this.v1(await this.tasks.updateTask(id, { assigned_agent_id: dto.assigned_agent_id }));
  }

  /** `PATCH /status {status}`: the action that reaches the status, then the progress given. */
  async setStatus(id: string, dto: V1TaskStatusDto, actor: Principal): Promise<V1TaskResponseDto> {
    const task = await this.moves.change(async (manager, effects) => {
      const task = await this.moves.lockOrFail(manager, id);
      const action = this.moves.actionFor(task, dto.status);
      this.moves.authorize(task, action, actor);
      await this.moves.apply(manager, task, action, { quality_score: dto.quality_score }, effects);
      if (dto.progress_percentage !== undefined && task.status === 'in_progress')
        await this.moves.report(manager, task, { percentage: dto.progress_percentage }, effects);
      return task;
    });
    return this.v1(task);
  }

  /** `PATCH /progress`: 100 completes the task, as in the original. */
  async progress(id: string, dto: V1TaskProgressDto, actor: Principal): Promise<V1TaskResponseDto> {
    const task = await this.moves.change(async (manager, effects) => {
      const task = await this.moves.lockOrFail(manager, id);
      this.moves.authorize(task, 'progress', actor);
      await this.moves.report(
        manager,
        task,
        {
          percentage: dto.progress_percentage,
          subtasks_completed: dto.subtasks_completed,
          subtasks_total: dto.subtasks_total,
        },
        effects,
      );
      if (dto.progress_percentage >= 100)
        await this.moves.apply(manager, task, 'complete', {}, effects);
      return task;
    });
    return this.v1(task);
  }

  async addDependency(id: string, dependencyId: string): Promise<V1TaskResponseDto> {
    return this.v1(await this.tasks.addEdge(id, dependencyId));
  }

  /** As the original, removing an absent edge quietly succeeds. */
  async removeDependency(id: string, dependencyId: string): Promise<V1TaskResponseDto> {
    return this.v1(await this.tasks.removeEdge(id, dependencyId, { mustExist: false }));
  }

  async remove(id: string, force = false): Promise<TaskV1MessageDto> {
    await this.tasks.deleteTask(id, force);
    return { message: 'Task deleted successfully' };
  }

  /** `PATCH /bulk`: the same update to every task in one transaction, or to none. */
  async updateAll(dto: V1BulkUpdateDto): Promise<V1TaskResponseDto[]> {
    const ids = [...new Set(dto.task_ids)];
    const tasks = await this.changes.run(async (manager, effects) => {
      const tasks = await this.repository.lockMany(manager, ids);
      const found = new Set(tasks.map((task) => task.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length)
        throw new BadRequestError(
          `Some tasks not found: ${missing.join(', ')}`,
          missing.map((id) => ({
            field: `task_ids.${dto.task_ids.indexOf(id)}`,
            message: 'no such task',
          })),
        );
      for (const task of tasks) await this.tasks.applyUpdate(manager, task, dto.updates, effects);
      return tasks;
    });
    const order = new Map(ids.map((id, index) => [id, index]));
    tasks.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    return this.v1List(tasks);
  }

  private async v1(task: TaskEntity): Promise<V1TaskResponseDto> {
    return toV1TaskResponse(await this.tasks.snapshot(task));
  }

  private async v1List(tasks: TaskEntity[]): Promise<V1TaskResponseDto[]> {
    return (await this.repository.snapshots(tasks)).map(toV1TaskResponse);
  }
}
