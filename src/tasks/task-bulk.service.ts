import { Injectable } from '@nestjs/common';
import { IsOptional, IsUUID } from 'class-validator';
import { bulkParameters, bulkUpdate, eachOnce, refusalOf } from '../common/bulk.js';
import { BadRequestError } from '../common/errors/app-errors.js';
import { DeleteTaskQuery } from './dto/task-actions.dto.js';
import type {
  BulkTaskItemDto,
  BulkTaskOperationDto,
  BulkTaskResultDto,
} from './dto/task-bulk.dto.js';
import { UpdateTaskDto } from './dto/task.dto.js';
import { TaskMoves } from './task-moves.service.js';
import { TasksService } from './tasks.service.js';

class AssignParameters {
  @IsOptional()
  @IsUUID()
  assigned_agent_id: string | null;
}

/** v2 bulk operations: each task on its own (v1's all-or-nothing update is `TasksV1Service`). */
@Injectable()
export class TaskBulkService {
  constructor(
    private readonly tasks: TasksService,
    private readonly moves: TaskMoves,
  ) {}

  /**
   * v2 `POST /bulk-operation`: each task on its own (a refused item does not undo the
   * others); repeated ids are reported and applied once.
   */
  async operate(dto: BulkTaskOperationDto): Promise<BulkTaskResultDto> {
    const work = await this.itemWork(dto);
    const outcome = await eachOnce<BulkTaskItemDto>(
      dto.task_ids,
      async (taskId) => ({ task_id: taskId, success: true, action: await work(taskId) }),
      (taskId, error) => ({ task_id: taskId, success: false, error }),
      refusalOf('Task not found'),
    );
    return { operation: dto.operation, total_tasks: dto.task_ids.length, ...outcome };
  }

  /** What to do with each id; parameters are validated once, before any item. */
  private async itemWork(dto: BulkTaskOperationDto): Promise<(taskId: string) => Promise<string>> {
    switch (dto.operation) {
      case 'update': {
        const update = await bulkUpdate(UpdateTaskDto, dto.parameters);
        return async (taskId) => {
          await this.tasks.update(taskId, update);
          return 'updated';
        };
      }
      case 'assign': {
        const assign = await bulkParameters(AssignParameters, dto.parameters);
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
        const { force } = await bulkParameters(DeleteTaskQuery, dto.parameters);
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
          await this.moves.act(taskId, action);
          return action === 'cancel' ? 'cancelled' : 'retried';
        };
      }
    }
  }
}
