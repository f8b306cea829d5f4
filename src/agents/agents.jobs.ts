import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { AgentConfigService } from './agent-config.service.js';
import { AgentHeartbeatsService } from './agent-heartbeats.service.js';

export class ProcessConfigurationParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  agent_id: string;
}

/** How often the offline sweep runs: the contract's "within AGENT_OFFLINE_AFTER_SECONDS + 15 s". */
export const HEARTBEAT_CHECK_EVERY_MS = 15_000;

/** The agents' job types; handlers only call the services, which hold the logic. */
@Injectable()
export class AgentJobs implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly configs: AgentConfigService,
    private readonly heartbeats: AgentHeartbeatsService,
  ) {}

  onModuleInit(): void {
    this.catalog.register<ProcessConfigurationParams, unknown>({
      name: 'agents.process_configuration',
      description:
        "Applies an agent's staged configuration file: model, tools and capabilities, the rest as configuration",
      queue: QUEUES.agents,
      params: ProcessConfigurationParams,
      schema: {
        type: 'object',
        required: ['agent_id'],
        additionalProperties: false,
        properties: { agent_id: { type: 'string', format: 'uuid' } },
      },
      attempts: 3,
      backoffMs: 1_000,
      timeoutMs: 60_000,
      handler: async ({ params, signal }) => {
        signal.throwIfAborted();
        const result = await this.configs.processPendingConfiguration(params.agent_id);
        return { applied: result.applied };
      },
    });
    this.catalog.register({
      name: 'agents.check_heartbeats',
      description: 'Marks agents silent for AGENT_OFFLINE_AFTER_SECONDS as offline',
      queue: QUEUES.agents,
      schema: { type: 'object', additionalProperties: false, properties: {} },
      timeoutMs: 60_000,
      handler: ({ signal }) => this.heartbeats.checkHeartbeats(signal),
    });
    this.catalog.schedule({ name: 'agents.check_heartbeats', everyMs: HEARTBEAT_CHECK_EVERY_MS });
  }
}
