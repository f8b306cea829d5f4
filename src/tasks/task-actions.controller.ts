import { Body, Controller, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import type { Principal } from '../auth/principal.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import {
  CompleteTaskDto,
  FailTaskDto,
  ProgressTaskDto,
  TaskActionDto,
} from './dto/task-actions.dto.js';
import { TaskResponseDto } from './dto/task.dto.js';
import { TasksService } from './tasks.service.js';

/** v2 task actions: the state machine's moves (CONTRACT §3 transition table). */
@ApiTags('tasks')
@ApiBadRequestResponse({ description: 'Invalid input' })
@ApiNotFoundResponse({ description: 'No such task' })
@ApiConflictResponse({
  description: 'Not allowed from the current state (named), unmet dependencies, superseded attempt',
})
@ApiOkResponse({ type: TaskResponseDto })
@Controller({ path: 'tasks', version: '2' })
export class TaskActionsController {
  constructor(private readonly tasks: TasksService) {}

  @Post(':id/start')
  @Auth('operator', { agent: 'own-task' })
  @HttpCode(200)
  @ApiOperation({ summary: 'pending → in_progress; every dependency must be completed' })
  start(
    @UuidParam() id: string,
    @Body() dto: TaskActionDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.tasks.act(id, 'start', dto, actor);
  }

  @Post(':id/complete')
  @Auth('operator', { agent: 'own-task' })
  @HttpCode(200)
  @ApiOperation({ summary: 'in_progress → completed (repeating it changes nothing)' })
  complete(
    @UuidParam() id: string,
    @Body() dto: CompleteTaskDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.tasks.act(id, 'complete', dto, actor);
  }

  @Post(':id/fail')
  @Auth('operator', { agent: 'own-task' })
  @HttpCode(200)
  @ApiOperation({ summary: 'in_progress → failed; pending dependents become blocked' })
  fail(
    @UuidParam() id: string,
    @Body() dto: FailTaskDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.tasks.act(id, 'fail', dto, actor);
  }

  @Post(':id/cancel')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'pending, blocked or in_progress → cancelled; pending dependents become blocked',
  })
  cancel(
    @UuidParam() id: string,
    @Body() dto: TaskActionDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.tasks.act(id, 'cancel', dto, actor);
  }

  @Post(':id/retry')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'failed or cancelled → pending (attempt + 1); its blocked dependents are released',
  })
  retry(
    @UuidParam() id: string,
    @Body() dto: TaskActionDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.tasks.act(id, 'retry', dto, actor);
  }

  @Patch(':id/progress')
  @Auth('operator', { agent: 'own-task' })
  @ApiOperation({ summary: 'Report progress of a task in progress' })
  progress(
    @UuidParam() id: string,
    @Body() dto: ProgressTaskDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TaskResponseDto> {
    return this.tasks.progress(id, dto, actor);
  }
}
