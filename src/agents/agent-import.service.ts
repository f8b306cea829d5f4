import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { AppError } from '../common/errors/app-errors.js';
import type { AgentDefinition } from '../agent-definition/agent-configuration.js';
import { AgentsService } from './agents.service.js';
import { AgentEntity } from './entities/agent.entity.js';

export interface ImportedAgent {
  agent_id: string;
  action: 'created' | 'updated';
}

/** The agent fields a definition file sets. Configuration beyond model, tools and capabilities goes to `configuration`. */
function fieldsOf(definition: AgentDefinition) {
  const { name, agent_type, description, tags, model, tools, capabilities, ...configuration } =
    definition;
  return {
    name,
    agent_type,
    ...(description !== undefined ? { description } : {}),
    ...(tags !== undefined ? { tags } : {}),
    model,
    tools,
    capabilities,
    configuration: configuration as Record<string, unknown>,
  };
}

/**
 * Creates or updates agents from definitions found in files (uploaded agent
 * configurations, SubForge's `.claude/agents`): an agent is the one with the same
 * name and type. Importing the same definition twice changes nothing the second time.
 */
@Injectable()
export class AgentImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
  ) {}

  async upsert(definition: AgentDefinition): Promise<ImportedAgent> {
    const fields = fieldsOf(definition);
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await this.dataSource.getRepository(AgentEntity).findOne({
        where: { name: fields.name, agentType: fields.agent_type },
        select: { id: true },
      });
      if (existing) {
        const { name: _name, agent_type: _type, ...changes } = fields;
        await this.agents.update(existing.id, changes);
        return { agent_id: existing.id, action: 'updated' };
      }
      try {
        const created = await this.agents.create(fields);
        return { agent_id: created.id, action: 'created' };
      } catch (error) {
        // Created meanwhile by a concurrent import: update it instead.
        const duplicate =
          (error instanceof AppError && error.statusCode === 409) ||
          (error instanceof QueryFailedError &&
            (error as QueryFailedError & { code?: string }).code === '23505');
        if (!duplicate) throw error;
      }
    }
    throw new AppError(
      409,
      `Agent ${fields.name} (${fields.agent_type}) changed concurrently; try again`,
    );
  }
}
