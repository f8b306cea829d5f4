import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiCreated, ApiErrors, ApiOk } from '../common/http/api-responses.js';
import type { Page } from '../common/pagination/page.js';
import {
  BoardSessionDto,
  BulkJobResultDto,
  JobCleanupResultDto,
  JobLogsDto,
  JobStatisticsDto,
  JobTypesDto,
  QueuePausedDto,
  QueueStatusDto,
} from './dto/job-responses.dto.js';
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import type { Principal } from '../auth/principal.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import { Cached } from '../common/cache/cached.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import {
  BulkJobsDto,
  JobCleanupQuery,
  JobResponseDto,
  ListJobsQuery,
  StatisticsQuery,
  SubmitJobDto,
} from './dto/jobs.dto.js';
import { JobRecordsRepository } from './job-records.repository.js';
import { JobsService } from './jobs.service.js';
import {
  BOARD_COOKIE,
  BOARD_PATH,
  BOARD_SESSION_SECONDS,
  issueBoardSession,
} from './queue-board.js';
import { QueueStatusService } from './queue-status.service.js';

@ApiTags('background-tasks')
@Controller({ path: 'background-tasks', version: '2' })
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly queueStatus: QueueStatusService,
    private readonly records: JobRecordsRepository,
    private readonly jwt: JwtService,
  ) {}

  @Get('types')
  @Auth('viewer')
  @ApiOperation({ summary: 'The job catalogue, with each type’s parameter schema' })
  @ApiOk(JobTypesDto)
  types(): JobTypesDto {
    return { types: this.jobs.types() };
  }

  @Post()
  @Auth('operator')
  @ApiOperation({
    summary: 'Submit a background task (system.backup and system.cleanup need admin)',
  })
  @ApiCreated(JobResponseDto)
  submit(
    @Body() dto: SubmitJobDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<JobResponseDto> {
    return this.jobs.submit(dto, principal);
  }

  @Get()
  @Auth('viewer')
  @Cached({ families: ['jobs'], ttlSeconds: 5 })
  @ApiOperation({
    summary: 'List background tasks (internal ones only with include_internal=true)',
  })
  @ApiOk(JobResponseDto, { page: true })
  list(@Query() query: ListJobsQuery): Promise<Page<JobResponseDto>> {
    return this.jobs.list(query);
  }

  @Get('statistics')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Counts by status, type and priority; average duration, success rate, throughput',
  })
  @ApiOk(JobStatisticsDto)
  statistics(@Query() query: StatisticsQuery): Promise<JobStatisticsDto> {
    return this.jobs.statistics(query.include_internal ?? false);
  }

  @Get('queue-status')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Per queue: waiting, active, delayed, completed, failed, paused, live workers, rate',
  })
  @ApiOk(QueueStatusDto)
  @ApiErrors(503)
  queues(): Promise<QueueStatusDto> {
    return this.queueStatus.status();
  }

  @Post('queues/:name/pause')
  @Auth('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a queue (every worker stops taking its jobs)' })
  @ApiOk(QueuePausedDto)
  @ApiErrors(404)
  pause(@Param('name') name: string): Promise<QueuePausedDto> {
    return this.queueStatus.pause(name);
  }

  @Post('queues/:name/resume')
  @Auth('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused queue' })
  @ApiOk(QueuePausedDto)
  @ApiErrors(404)
  resume(@Param('name') name: string): Promise<QueuePausedDto> {
    return this.queueStatus.resume(name);
  }

  @Post('bulk-operation')
  @Auth('operator')
  @HttpCode(200)
  @RateLimit('bulk')
  @ApiOperation({ summary: 'Cancel or retry several tasks; per-item results' })
  @ApiOk(BulkJobResultDto)
  bulk(
    @Body() dto: BulkJobsDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BulkJobResultDto> {
    return this.jobs.bulk(dto, principal);
  }

  @Post('cleanup')
  @Auth('admin')
  @HttpCode(200)
  @RateLimit('cleanup')
  @ApiOperation({ summary: 'Delete finished task records older than older_than_days' })
  @ApiOk(JobCleanupResultDto)
  async cleanup(@Query() query: JobCleanupQuery): Promise<JobCleanupResultDto> {
    let deleted = 0;
    for (
      let batch = await this.records.deleteFinishedOlderThan(query.older_than_days);
      batch;
      batch = await this.records.deleteFinishedOlderThan(query.older_than_days)
    ) {
      deleted += batch;
    }
    return { deleted };
  }

  @Post('board-session')
  @Auth('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: `Open the queue board (${BOARD_PATH}) in this browser: sets a 15-minute admin cookie`,
  })
  @ApiOk(BoardSessionDto)
  async boardSession(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BoardSessionDto> {
    const token = await issueBoardSession(this.jwt, principal.id);
    res.cookie(BOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: BOARD_PATH,
      maxAge: BOARD_SESSION_SECONDS * 1000,
      secure: res.req.secure,
    });
    return { url: BOARD_PATH, expires_in: BOARD_SESSION_SECONDS };
  }

  @Get(':id')
  @Auth('viewer')
  @ApiOperation({ summary: 'One background task' })
  @ApiOk(JobResponseDto)
  @ApiErrors(404)
  get(@UuidParam() id: string): Promise<JobResponseDto> {
    return this.jobs.get(id);
  }

  @Get(':id/logs')
  @Auth('viewer')
  @ApiOperation({ summary: 'The task’s log lines' })
  @ApiOk(JobLogsDto)
  @ApiErrors(404)
  logs(@UuidParam() id: string): Promise<JobLogsDto> {
    return this.jobs.logs(id);
  }

  @Post(':id/cancel')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Cancel: waiting → removed; running → stopped; finished → 409 (403 below the job type's role)",
  })
  @ApiOk(JobResponseDto)
  @ApiErrors(404, 409)
  cancel(
    @UuidParam() id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<JobResponseDto> {
    return this.jobs.cancel(id, principal);
  }

  @Post(':id/retry')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a failed or cancelled task again (else 409)' })
  @ApiOk(JobResponseDto)
  @ApiErrors(404, 409)
  retry(
    @UuidParam() id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<JobResponseDto> {
    return this.jobs.retry(id, principal);
  }
}
