import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesModule } from '../files/files.module.js';
import { AgentCommandsService } from './agent-commands.service.js';
import { AgentImportService } from './agent-import.service.js';
import { AgentConfigService } from './agent-config.service.js';
import { closeConfigCheckPool } from '../agent-definition/config-check-pool.js';
import { AgentFiguresQuery } from './agent-figures.query.js';
import { AgentHeartbeatsService } from './agent-heartbeats.service.js';
import { AgentLogsRepository } from './agent-logs.repository.js';
import { AgentLogsService } from './agent-logs.service.js';
import { AgentMetricsService } from './agent-metrics.service.js';
import { AgentTelemetryController } from './agent-telemetry.controller.js';
import { AgentViews } from './agent-views.service.js';
import { AgentsController } from './agents.controller.js';
import { AgentsGateway } from './agents.gateway.js';
import { AgentJobs } from './agents.jobs.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { AgentsV1Service } from './agents-v1.service.js';
import { AgentsV1Controller } from './agents-v1.controller.js';
import { AgentLogEntity } from './entities/agent-log.entity.js';
import { AgentStatusChangeEntity } from './entities/agent-status-change.entity.js';
import { AgentEntity } from './entities/agent.entity.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([AgentEntity, AgentStatusChangeEntity, AgentLogEntity]),
    FilesModule,
  ],
  controllers: [AgentsV1Controller, AgentsController, AgentTelemetryController],
  providers: [
    AgentsRepository,
    AgentLogsRepository,
    AgentFiguresQuery,
    AgentViews,
    AgentsService,
    AgentsV1Service,
    AgentHeartbeatsService,
    AgentCommandsService,
    AgentConfigService,
    AgentLogsService,
    AgentMetricsService,
    AgentsGateway,
    AgentJobs,
    AgentImportService,
  ],
  exports: [
    AgentsService,
    AgentsV1Service,
    AgentHeartbeatsService,
    AgentLogsService,
    AgentViews,
    AgentImportService,
  ],
})
export class AgentsModule implements OnApplicationShutdown {
  /** The configuration parser's worker thread (started on the first large file) ends with us. */
  onApplicationShutdown(): Promise<void> {
    return closeConfigCheckPool();
  }
}
