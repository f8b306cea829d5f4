import {
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Query,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { Principal } from '../auth/principal.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import {
  AgentConfigService,
  MAX_CONFIGURATION_BYTES,
  type UploadedConfigFile,
} from './agent-config.service.js';
import { AgentHeartbeatsService } from './agent-heartbeats.service.js';
import { AgentLogsService } from './agent-logs.service.js';
import { AgentMetricsService } from './agent-metrics.service.js';
import {
  AgentLogDto,
  AgentLogPageDto,
  AgentMetricsDto,
  AgentMetricsQuery,
  ConfigurationUploadResultDto,
  HeartbeatAckDto,
  HeartbeatDto,
  IngestLogsDto,
  IngestLogsResultDto,
  ListLogsQuery,
} from './dto/agent-operations.dto.js';

/** Only the file is read: a few small text fields at most, never megabytes of them buffered. */
const CONFIGURATION_UPLOAD_LIMITS = {
  fileSize: MAX_CONFIGURATION_BYTES,
  files: 1,
  fields: 4,
  fieldSize: 1024,
  parts: 5,
};

/** v2 agents: what agents send (heartbeats, logs, configuration) and what is measured. */
@ApiTags('agents')
@ApiBadRequestResponse({ description: 'Invalid input (unknown fields, wrong types, bad ids)' })
@ApiNotFoundResponse({ description: 'No such agent' })
@Controller({ path: 'agents', version: '2' })
export class AgentTelemetryController {
  constructor(
    private readonly heartbeats: AgentHeartbeatsService,
    private readonly logs: AgentLogsService,
    private readonly metrics: AgentMetricsService,
    private readonly configs: AgentConfigService,
  ) {}

  @Post(':id/heartbeat')
  @Write({
    summary: 'Heartbeat: clears offline (not inactive); status, current task, known figures only',
    type: HeartbeatAckDto,
    agent: 'own-agent',
  })
  heartbeat(@UuidParam() id: string, @Body() dto: HeartbeatDto): Promise<HeartbeatAckDto> {
    return this.heartbeats.heartbeat(id, dto);
  }

  @Post(':id/logs')
  @Write({
    summary: 'Ingest a batch of up to 1000 log lines (one insert)',
    status: 201,
    type: IngestLogsResultDto,
    agent: 'own-agent',
  })
  ingestLogs(@UuidParam() id: string, @Body() dto: IngestLogsDto): Promise<IngestLogsResultDto> {
    return this.logs.ingest(id, dto);
  }

  @Get(':id/logs')
  @Read({
    summary: 'Log lines by minimum level, time range and text, paged',
    type: AgentLogPageDto,
  })
  listLogs(@UuidParam() id: string, @Query() query: ListLogsQuery): Promise<Page<AgentLogDto>> {
    return this.logs.list(id, query);
  }

  @Get(':id/metrics')
  @Read({
    summary: 'Task, uptime and error figures over a period, from stored data',
    type: AgentMetricsDto,
  })
  getMetrics(@UuidParam() id: string, @Query() query: AgentMetricsQuery): Promise<AgentMetricsDto> {
    return this.metrics.metrics(id, query.time_range);
  }

  @Post(':id/configuration/upload')
  @Auth('operator')
  @HttpCode(202)
  @RateLimit('upload')
  @UseInterceptors(FileInterceptor('file', { limits: CONFIGURATION_UPLOAD_LIMITS }))
  @ApiOperation({
    summary:
      'Upload a .json/.yaml/.yml configuration (<= 1 MiB): validated at once (400 with field and line), ' +
      'then applied by the agents.process_configuration job (model, tools and capabilities set, the rest ' +
      'stored in configuration; agent_update configuration_updated follows)',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiAcceptedResponse({ type: ConfigurationUploadResultDto })
  @ApiPayloadTooLargeResponse({ description: 'Larger than 1 MiB' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not .json, .yaml or .yml' })
  uploadConfiguration(
    @UuidParam() id: string,
    @UploadedFile() file: UploadedConfigFile | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConfigurationUploadResultDto> {
    return this.configs.upload(id, file, principal);
  }
}
