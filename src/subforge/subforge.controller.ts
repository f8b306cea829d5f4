import { ApiErrors, ApiOk } from '../common/http/api-responses.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Body, Controller, Get, HttpCode, Param, Post, VERSION_NEUTRAL } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal, DashboardRead } from '../auth/auth.decorator.js';
import type { Principal } from '../auth/principal.js';
import { roleSatisfies } from '../auth/roles.js';
import { Cached } from '../common/cache/cached.decorator.js';
import { ConflictError } from '../common/errors/app-errors.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { currentPhase } from './context.js';
import {
  IntegrationStateDto,
  ScanAcceptedDto,
  ScanRequestDto,
  SubforgeActivitiesDto,
  SubforgeMetricsDto,
  SubforgePhasesDto,
  SubforgeStatusDto,
  SubforgeTasksDto,
  WorkflowContextDto,
  WorkflowContextWithMetadataDto,
  WorkflowSummaryDto,
} from './subforge.dto.js';
import { MAX_LISTED_FINISHED } from './subforge.queries.js';
import { SubforgeMonitor } from './subforge-monitor.service.js';
import { WorkflowWindow } from './workflow-window.service.js';

const ID_PARAM = ApiParam({
  name: 'id',
  description:
    'A SubForge run directory name, `subforge_[A-Za-z0-9_-]+`, or the UUID of a run started over REST or v1 execute (anything else: 404)',
});
const CACHE = { families: ['subforge', 'workflows', 'tasks', 'agents'] as const, ttlSeconds: 5 };

/**
 * Every workflow run in the shapes of the original `/api/subforge` routes: SubForge's
 * runs (`.subforge/`) as imported, and runs started over REST or v1 `execute` (see
 * api-run-context.ts). Version-neutral.
 */
@ApiTags('subforge')
@Controller({ path: 'api/subforge', version: VERSION_NEUTRAL })
export class SubforgeController {
  constructor(
    private readonly window: WorkflowWindow,
    private readonly monitor: SubforgeMonitor,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @Get('workflows')
  @DashboardRead()
  @Cached({ ...CACHE, families: [...CACHE.families] })
  @ApiOperation({
    summary: `Imported SubForge runs and runs started over the API: every unfinished one and the ${MAX_LISTED_FINISHED} most recently finished, newest first`,
  })
  @ApiOkResponse({ type: [WorkflowSummaryDto] })
  workflows(): Promise<WorkflowSummaryDto[]> {
    return this.window.list();
  }

  @Get('workflow/:id')
  @DashboardRead()
  @ID_PARAM
  @ApiOperation({
    summary: 'The run’s full workflow context (imported runs: as last imported)',
  })
  @ApiOk(WorkflowContextDto, {
    description: 'WorkflowContext (reference/original-backend.md §1.8)',
  })
  @ApiErrors([404, "Workflow '{id}' not found"])
  async workflow(@Param('id') id: string): Promise<WorkflowContextDto> {
    return (await this.window.get(id)).context;
  }

  @Get('workflow/:id/context')
  @DashboardRead()
  @ID_PARAM
  @ApiOperation({
    summary: 'The context with `_metadata` (retrieved_at, workflow_id, api_version)',
  })
  @ApiOk(WorkflowContextWithMetadataDto)
  @ApiErrors([404, "Workflow '{id}' not found"])
  async context(@Param('id') id: string): Promise<WorkflowContextWithMetadataDto> {
    const row = await this.window.get(id);
    return {
      ...row.context,
      _metadata: {
        retrieved_at:
          row.context.updated_at ?? row.context.created_at ?? row.updatedAt.toISOString(),
        workflow_id: row.id,
        api_version: '1.0',
      },
    };
  }

  @Get('workflow/:id/phases')
  @DashboardRead()
  @ID_PARAM
  @ApiOperation({
    summary: 'Phases in execution order, with their status, times, outputs, errors and warnings',
  })
  @ApiOk(SubforgePhasesDto)
  @ApiErrors([404, "Workflow '{id}' not found"])
  async phases(@Param('id') id: string): Promise<SubforgePhasesDto> {
    const { context } = await this.window.get(id);
    return {
      workflow_id: id,
      total_phases: context.total_phases,
      completed_phases: context.completed_phases,
      failed_phases: context.failed_phases,
      current_phase: currentPhase(context),
      phases: Object.entries(context.phase_results).map(([name, phase]) => ({
        name,
        status: phase.status,
        duration: phase.duration,
        start_time: phase.start_time,
        end_time: phase.end_time,
        outputs: phase.outputs,
        errors: phase.errors,
        warnings: phase.warnings,
      })),
    };
  }

  @Get('workflow/:id/tasks')
  @DashboardRead()
  @ID_PARAM
  @ApiOperation({ summary: 'The run’s tasks (top level and from the phases’ outputs)' })
  @ApiOk(SubforgeTasksDto)
  @ApiErrors([404, "Workflow '{id}' not found"])
  async tasks(@Param('id') id: string): Promise<SubforgeTasksDto> {
    const { context } = await this.window.get(id);
    return {
      workflow_id: id,
      total_tasks: context.tasks.length,
      tasks: context.tasks.map(({ metadata: _metadata, ...task }) => task),
    };
  }

  @Get('workflow/:id/activities')
  @DashboardRead()
  @ID_PARAM
  @ApiOperation({
    summary: 'Activities recorded in the file and from the events of its imported tasks and agents',
  })
  @ApiOk(SubforgeActivitiesDto)
  @ApiErrors([404, "Workflow '{id}' not found"])
  async activities(@Param('id') id: string): Promise<SubforgeActivitiesDto> {
    const activities = await this.window.activities(await this.window.get(id));
    return { workflow_id: id, total_activities: activities.length, activities };
  }

  @Get('metrics')
  @DashboardRead()
  @Cached({ ...CACHE, families: [...CACHE.families] })
  @ApiOperation({
    summary:
      'Counts by status, success rate, average completion time, most common phases, agent utilisation, recent activities',
  })
  @ApiOk(SubforgeMetricsDto)
  metrics(): Promise<SubforgeMetricsDto> {
    return this.window.metrics();
  }

  @Get('status')
  @DashboardRead()
  @ApiOperation({
    summary:
      'The service (active while it runs), whether the project is watched, workflow counts, the last scan',
  })
  @ApiOkResponse({ type: SubforgeStatusDto })
  async status(@CurrentPrincipal() principal: Principal): Promise<SubforgeStatusDto> {
    const [counts, stopped, watcher, lastScan] = await Promise.all([
      this.window.counts(),
      this.monitor.stopped().catch(() => false),
      this.monitor.watcherAlive().catch(() => this.monitor.watching),
      this.monitor.lastScan().catch(() => null),
    ]);
    const on = this.monitor.enabled && !stopped;
    return {
      // The service answering is the service running; watching is reported apart.
      service_status: 'active',
      monitoring_enabled: on,
      file_watching_enabled: on && watcher,
      total_workflows: counts.total,
      active_workflows: counts.active,
      // Where the service runs on disk is for operators, not for (anonymous) readers.
      subforge_directory: roleSatisfies(principal.role, 'operator')
        ? join(this.config.subforgeRoot, '.subforge')
        : null,
      subforge_directory_exists: existsSync(join(this.config.subforgeRoot, '.subforge')),
      last_scan: lastScan,
      configuration: {
        scan_interval: this.config.subforgeScanIntervalSeconds,
        max_workflows: MAX_LISTED_FINISHED,
        cleanup_after_days: null,
        enable_real_time_monitoring: this.monitor.enabled,
      },
    };
  }

  @Post('start')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume watching and periodic scans (on the watching instance)' })
  @ApiOkResponse({ type: IntegrationStateDto })
  @ApiConflictResponse({ description: 'SUBFORGE_INTEGRATION_ENABLED is false' })
  async start(): Promise<IntegrationStateDto> {
    this.requireEnabled();
    const started = await this.monitor.start();
    return {
      message: started ? 'Integration started successfully' : 'Integration already running',
      status: 'active',
    };
  }

  @Post('stop')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop watching and periodic scans until started again' })
  @ApiOkResponse({ type: IntegrationStateDto })
  @ApiConflictResponse({ description: 'SUBFORGE_INTEGRATION_ENABLED is false' })
  async stop(): Promise<IntegrationStateDto> {
    this.requireEnabled();
    await this.monitor.stop();
    return { message: 'Integration stopped successfully', status: 'inactive' };
  }

  @Post('scan')
  @Auth('operator')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Scan now; completion arrives as workflow_event / workflow_update (subforge_scan_completed)',
  })
  @ApiAcceptedResponse({ type: ScanAcceptedDto })
  @ApiConflictResponse({ description: 'SUBFORGE_INTEGRATION_ENABLED is false' })
  async scan(@Body() body: ScanRequestDto): Promise<ScanAcceptedDto> {
    this.requireEnabled();
    const force = body.force_rescan === true;
    await this.monitor.requestScan(force);
    return {
      message: 'Scan initiated successfully',
      scan_type: force ? 'force' : 'incremental',
      status: 'processing',
    };
  }

  private requireEnabled(): void {
    if (!this.monitor.enabled)
      throw new ConflictError(
        'The SubForge integration is off (SUBFORGE_INTEGRATION_ENABLED=false or no .subforge directory at start)',
      );
  }
}
