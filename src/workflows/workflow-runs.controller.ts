import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import { Cached } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import { RunResponseDto } from './dto/run.dto.js';
import { WorkflowRunsService } from './workflow-runs.service.js';

/** v2 runs: read one, and steer it. */
@ApiTags('workflows')
@ApiParam({ name: 'run_id', format: 'uuid' })
@ApiNotFoundResponse({ description: 'No such run' })
@Controller({ path: 'workflows/runs', version: '2' })
export class WorkflowRunsController {
  constructor(private readonly runs: WorkflowRunsService) {}

  @Get(':run_id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'A run with its steps; progress and counters derived from the tasks' })
  @ApiOkResponse({ type: RunResponseDto })
  get(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.get(runId);
  }

  @Post(':run_id/pause')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop dispatching new steps (steps in progress carry on)' })
  @ApiOkResponse({ type: RunResponseDto })
  @ApiConflictResponse({ description: 'The run is not running' })
  pause(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.pause(runId);
  }

  @Post(':run_id/resume')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dispatch again' })
  @ApiOkResponse({ type: RunResponseDto })
  @ApiConflictResponse({ description: 'The run is not paused' })
  resume(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.resume(runId);
  }

  @Post(':run_id/cancel')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the run and every step that has not finished' })
  @ApiOkResponse({ type: RunResponseDto })
  @ApiConflictResponse({ description: 'The run already finished' })
  cancel(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.cancel(runId);
  }

  @Post(':run_id/retry')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a failed or cancelled run again: its failed and cancelled steps get new attempts',
  })
  @ApiOkResponse({ type: RunResponseDto })
  @ApiConflictResponse({ description: 'The run is not failed or cancelled' })
  retry(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.retry(runId);
  }
}
