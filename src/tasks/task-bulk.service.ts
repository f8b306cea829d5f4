import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { IsOptional, IsUUID, validate } from 'class-validator';
import { DataSource } from 'typeorm';
import { BadRequestError, TooBusyError } from '../common/errors/app-errors.js';
import { mapError } from '../common/errors/error-mapper.js';
import { flattenValidationErrors } from '../common/validation/validation-pipe.js';
import { DeleteTaskQuery } from './dto/task-actions.dto.js';
import type {
  BulkTaskItemDto,
  BulkTaskOperationDto,
  BulkTaskResultDto,
} from './dto/task-bulk.dto.js';
import { UpdateTaskDto, type V1TaskResponseDto } from './dto/task.dto.js';
import type { V1BulkUpdateDto } from './dto/task-v1.dto.js';
import { TaskEffects } from './task-effects.js';
import { TaskLifecycleService } from './task-lifecycle.service.js';
import { toV1TaskResponse } from './task.mapper.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { TaskViews } from './task-views.service.js';

class AssignParameters {
  @IsOptional()
  @IsUUID()
  assigned_agent_id: string | null;
}

/** Validates bulk parameters with the rules of the matching single-task body. */
async function parameters<T extends object>(dto: new () => T, value: unknown): Promise<T> {
  const instance = plainToInstance(dto, value ?? {});
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length)
    throw new BadRequestError(
      'Invalid parameters',
      flattenValidationErrors(errors).map((detail) => ({
        ...detail,
        field: `parameters.${detail.field}`,
      })),
    );
  return instance;
}

/** Bulk changes: v1's all-or-nothing update and v2's per-item operations. */
@Injectable()
export class TaskBulkService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: TasksRepository,
    private readonly tasks: TasksService,
    private readonly lifecycle: TaskLifecycleService,
    private readonly views: TaskViews,
  ) {}

  /** v1 `PATCH /bulk`: the same update to every task in one transaction, or to none. */
  async updateAllV1(dto: V1BulkUpdateDto): Promise<V1TaskResponseDto[]> {
    const ids = [...new Set(dto.task_ids)];
    const effects = new TaskEffects();
    const tasks = await this.dataSource.transaction(async (manager) => {
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
    await this.views.announce(effects);
    const order = new Map(ids.map((id, index) => [id, index]));
    tasks.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    return (await this.views.snapshots(tasks)).map(toV1TaskResponse);
  }

  /**
   * v2 `POST /bulk-operation`: each task on its own (a refused item does not undo the
   * others); repeated ids are reported and applied once.
   */
  async operate(dto: BulkTaskOperationDto): Promise<BulkTaskResultDto> {
    const work = await this.itemWork(dto);
    const seen = new Set<string>();
    const results: BulkTaskItemDto[] = [];
    for (const taskId of dto.task_ids) {
      if (seen.has(taskId)) {
        results.push({
          task_id: taskId,
          success: false,
          error: 'Duplicate id in this request: applied once',
        });
        continue;
      }
      seen.add(taskId);
      try {
        results.push({ task_id: taskId, success: true, action: await work(taskId) });
      } catch (error) {
        const { status, body } = mapError(error);
        // Busy: this item was not applied (the others stand); the client may retry it.
        if (status >= 500 && !(error instanceof TooBusyError)) throw error;
        results.push({
          task_id: taskId,
          success: false,
          error: status === 404 ? 'Task not found' : body.message,
        });
      }
    }
    const successful = results.filter((result) => result.success).length;
    return {
      operation: dto.operation,
      total_tasks: dto.task_ids.length,
      successful,
      failed: results.length - successful,
      results,
    };
  }

  /** What to do with each id; parameters are validated once, before any item. */
  private async itemWork(dto: BulkTaskOperationDto): Promise<(taskId: string) => Promise<string>> {
    switch (dto.operation) {
      case 'update': {
        const update = await parameters(UpdateTaskDto, dto.parameters);
        if (!Object.values(update).some((value) => value !== undefined))
          throw new BadRequestError('update needs at least one field in parameters', [
            { field: 'parameters', message: 'must name at least one field to change' },
          ]);
        return async (taskId) => {
          await this.tasks.update(taskId, update);
          return 'updated';
        };
      }
      case 'assign': {
        const assign = await parameters(AssignParameters, dto.parameters);
        if (assign.assigned_agent_id === undefined)
          throw new BadRequestError('assign needs parameters.assigned_agent_id', [
            { field: 'parameters.assigned_agent_id', message: 'is required (null unassigns)' },
          ]);
        return async (taskId) => {
          await this.tasks.update(taskId, { assigned_agent_id: assign.assigned_agent_id });
          return assign.assigned_agent_id ? 'assigned' : 'unassigned';
        };
      }
      case 'delete': {
        const { force } = await parameters(DeleteTaskQuery, dto.parameters);
        return async (taskId) => {
          await this.tasks.deleteTask(taskId, force ?? false);
          return 'deleted';
        };
      }
      default: {
        const action = dto.operation;
        if (dto.parameters && Object.keys(dto.parameters).length)
          throw new BadRequestError(`${action} takes no parameters`, [
            { field: 'parameters', message: `${action} takes no parameters` },
          ]);
        return async (taskId) => {
          await this.lifecycle.act(taskId, action);
          return action === 'cancel' ? 'cancelled' : 'retried';
        };
      }
    }
  }
}
