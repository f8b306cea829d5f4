import { Controller, Get, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Read, Write } from '../auth/endpoint.decorator.js';
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
  @Read({
    summary: 'A run with its steps; progress and counters derived from the tasks',
    type: RunResponseDto,
    cached: { families: ['workflows'], ttlSeconds: 10 },
  })
  get(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.get(runId);
  }

  @Post(':run_id/pause')
  @Write({
    summary: 'Stop dispatching new steps (steps in progress carry on)',
    type: RunResponseDto,
    conflict: 'The run is not running',
  })
  pause(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.pause(runId);
  }

  @Post(':run_id/resume')
  @Write({ summary: 'Dispatch again', type: RunResponseDto, conflict: 'The run is not paused' })
  resume(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.resume(runId);
  }

  @Post(':run_id/cancel')
  @Write({
    summary: 'Cancel the run and every step that has not finished',
    type: RunResponseDto,
    conflict: 'The run already finished',
  })
  cancel(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.cancel(runId);
  }

  @Post(':run_id/retry')
  @Write({
    summary: 'Run a failed or cancelled run again: its failed and cancelled steps get new attempts',
    type: RunResponseDto,
    conflict: 'The run is not failed or cancelled',
  })
  retry(@UuidParam('run_id') runId: string): Promise<RunResponseDto> {
    return this.runs.retry(runId);
  }
}
