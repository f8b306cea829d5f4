import { Injectable, OnModuleInit } from '@nestjs/common';
import { FileValidationService } from '../files/file-validation.service.js';
import { AgentImportService, type ImportedAgent } from './agent-import.service.js';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { AgentConfigService } from './agent-config.service.js';
import { AgentHeartbeatsService } from './agent-heartbeats.service.js';
import { UuidField, UuidListField } from '../common/validation/fields.js';

export class ProcessConfigurationParams {
  @UuidField()
  agent_id: string;
}

export class ProcessAgentConfigsParams {
  @UuidListField({ min: 1, max: 100 })
  file_ids: string[];
}

type FileImportResult =
  | ({ file_id: string; filename: string | null; ok: true } & ImportedAgent)
  | {
      file_id: string;
      filename: string | null;
      ok: false;
      errors: { message: string; line?: number; path?: string }[];
    };

/** How often the offline sweep runs: the contract's "within AGENT_OFFLINE_AFTER_SECONDS + 15 s". */
export const HEARTBEAT_CHECK_EVERY_MS = 15_000;

/** The agents' job types; handlers only call the services, which hold the logic. */
@Injectable()
export class AgentJobs implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly configs: AgentConfigService,
    private readonly heartbeats: AgentHeartbeatsService,
    private readonly imports: AgentImportService,
    private readonly files: FileValidationService,
  ) {}

  /** `files.process_agent_configs`: each uploaded definition creates or updates its agent. */
  async processAgentConfigFiles(fileIds: string[], signal: AbortSignal) {
    const results: FileImportResult[] = [];
    for (const fileId of [...new Set(fileIds)]) {
      signal.throwIfAborted();
      const read = await this.files.readAgentDefinitionFile(fileId, signal);
      if (!read.ok) {
        results.push({ file_id: fileId, filename: read.filename, ok: false, errors: read.errors });
        continue;
      }
      try {
        results.push({
          file_id: fileId,
          filename: read.filename,
          ok: true,
          ...(await this.imports.upsert(read.definition)),
        });
      } catch (error) {
        results.push({
          file_id: fileId,
          filename: read.filename,
          ok: false,
          errors: [{ message: (error as Error).message }],
        });
      }
    }
    const count = (predicate: (result: FileImportResult) => boolean) =>
      results.filter(predicate).length;
    return {
      results,
      created: count((r) => r.ok && r.action === 'created'),
      updated: count((r) => r.ok && r.action === 'updated'),
      failed: count((r) => !r.ok),
    };
  }

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
    this.catalog.register<ProcessAgentConfigsParams, unknown>({
      name: 'files.process_agent_configs',
      description:
        'Creates or updates agents (by name and type) from uploaded agent_configs files; per-file results',
      queue: QUEUES.files,
      params: ProcessAgentConfigsParams,
      schema: {
        type: 'object',
        required: ['file_ids'],
        additionalProperties: false,
        properties: {
          file_ids: {
            type: 'array',
            minItems: 1,
            maxItems: 100,
            items: { type: 'string', format: 'uuid' },
          },
        },
      },
      attempts: 3,
      backoffMs: 1_000,
      timeoutMs: 300_000,
      handler: ({ params, signal }) => this.processAgentConfigFiles(params.file_ids, signal),
    });
  }
}
