import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { JobsService } from '../jobs/jobs.service.js';
import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import {
  BadRequestError,
  type FieldError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../common/errors/app-errors.js';
import {
  type AgentConfiguration,
  validateAgentConfiguration,
} from '../agent-definition/agent-configuration.js';
import { type ConfigIssue, formatOf } from '../agent-definition/config-text.js';
import { AgentsService } from './agents.service.js';
import { checkConfigTextOffThread } from '../agent-definition/config-check-pool.js';
import { keepMaskedSecrets, maskSecrets } from '../agent-definition/agent-secrets.js';
import { AgentViews, toV2 } from './agent-views.service.js';
import type { AgentResponseDto } from './dto/agent.dto.js';
import type { ConfigurationUploadResultDto } from './dto/agent-operations.dto.js';

/** Largest configuration file accepted (CONTRACT §3: 1 MiB). */
export const MAX_CONFIGURATION_BYTES = 1024 * 1024;

/** The part of a multipart upload this service needs (multer's file object). */
export interface UploadedConfigFile {
  originalname: string;
  size: number;
  buffer: Buffer;
}

export interface ConfigurationApplied {
  applied: boolean;
  agent?: AgentResponseDto;
}

function issueDetails(issues: ConfigIssue[]): FieldError[] {
  return issues.map((issue) => ({
    field: issue.path ? `file.${issue.path}` : 'file',
    message: issue.message,
    ...(issue.line !== undefined ? { line: issue.line } : {}),
  }));
}

/** The first few issues in one line; every issue is in the details. */
function summarise(issues: ConfigIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => issue.message);
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`);
  return shown.join('; ');
}

function decodeUtf8(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer).replace(/^\uFEFF/, '');
  } catch {
    throw new BadRequestError('The file is not valid UTF-8 text', [
      { field: 'file', message: 'must be UTF-8 text' },
    ]);
  }
}

/** Model, tools and capabilities go to the agent's columns; the rest is its `configuration`. */
function splitConfiguration(config: AgentConfiguration) {
  const { model, tools, capabilities, ...rest } = config;
  return { model, tools, capabilities, rest: rest as Record<string, unknown> };
}

/**
 * Configuration files: the upload validates at once (so the client learns of every
 * mistake with its line), stages the file on the agent, and the staged file is applied
 * by `applyConfiguration`, which the `agents.process_configuration` job runs too.
 */
@Injectable()
export class AgentConfigService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly views: AgentViews,
    private readonly jobs: JobsService,
  ) {}

  async upload(
    agentId: string,
    file: UploadedConfigFile | undefined,
    uploader: Principal,
  ): Promise<ConfigurationUploadResultDto> {
    await this.agents.find(agentId);
    if (!file)
      throw new BadRequestError('A configuration file is required in the multipart field "file"', [
        { field: 'file', message: 'is required' },
      ]);
    const format = formatOf(file.originalname);
    if (!format)
      throw new UnsupportedMediaTypeError(
        'Only .json, .yaml and .yml configuration files are accepted',
        [{ field: 'file', message: `${file.originalname} is not .json, .yaml or .yml` }],
      );
    if (file.size > MAX_CONFIGURATION_BYTES)
      throw new PayloadTooLargeError('A configuration file may be at most 1 MiB');
    const result = await checkConfigTextOffThread({
      text: decodeUtf8(file.buffer),
      format,
      schema: 'configuration',
    });
    if (result.errors.length)
      throw new BadRequestError(
        `Invalid configuration: ${summarise(result.errors)}`,
        issueDetails(result.errors),
      );
    const configuration = result.value as AgentConfiguration;
    await this.stage(agentId, configuration);
    const job = await this.jobs.submit(
      { task_name: 'agents.process_configuration', parameters: { agent_id: agentId } },
      uploader,
    );
    return {
      message: 'Configuration validated; the agents.process_configuration job applies it',
      agent_id: agentId,
      filename: file.originalname,
      configuration: maskSecrets(configuration as unknown as Record<string, unknown>),
      job_id: job.id,
    };
  }

  /** `agents.process_configuration`: applies the staged file, if any (idempotent). */
  async processPendingConfiguration(agentId: string): Promise<ConfigurationApplied> {
    const agent = await this.agents.find(agentId);
    if (!agent.pendingConfiguration) return { applied: false };
    const checked = validateAgentConfiguration(agent.pendingConfiguration);
    if (!checked.ok)
      throw new BadRequestError(
        `The staged configuration of agent ${agentId} is not valid`,
        issueDetails(checked.errors),
      );
    return { applied: true, agent: await this.applyConfiguration(agentId, checked.value) };
  }

  /**
   * Sets model, tools and capabilities, stores the rest as `configuration`, clears the
   * staged copy when it is this one, and announces `configuration_updated`.
   */
  async applyConfiguration(agentId: string, config: AgentConfiguration): Promise<AgentResponseDto> {
    const { model, tools, capabilities, rest } = splitConfiguration(config);
    const agent = await this.dataSource.transaction(async (manager) => {
      const agent = await this.agents.lockOrFail(manager, agentId);
      agent.model = model;
      agent.tools = tools;
      agent.capabilities = capabilities;
      agent.configuration = keepMaskedSecrets(rest, agent.configuration);
      if (isDeepStrictEqual(agent.pendingConfiguration, config)) agent.pendingConfiguration = null;
      agent.lastActivity = new Date();
      return manager.save(agent);
    });
    const snapshot = await this.views.snapshot(agent);
    await this.views.announce(snapshot, 'configuration_updated');
    return toV2(snapshot);
  }

  private async stage(agentId: string, config: AgentConfiguration): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const agent = await this.agents.lockOrFail(manager, agentId);
      agent.pendingConfiguration = config as unknown as Record<string, unknown>;
      await manager.save(agent);
    });
  }
}
