import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { bulkUpdate, eachOnce, refusalOf } from '../common/bulk.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { type AgentCommandName, type AgentStatus, statusAfterCommand } from './agent-status.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { AgentViews, toV2 } from './agent-views.service.js';
import { UpdateAgentDto } from './dto/agent.dto.js';
import type {
  AgentCommandResultDto,
  BulkAgentItemDto,
  BulkAgentOperationDto,
  BulkAgentResultDto,
} from './dto/agent-operations.dto.js';

/** Start, stop and restart (one agent or many) and the other bulk operations. */
@Injectable()
export class AgentCommandsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly repository: AgentsRepository,
    private readonly views: AgentViews,
    private readonly events: EventBus,
  ) {}

  /** Sets the status the command implies and sends `agent_command` to the agent's room. */
  async command(
    agentId: string,
    command: AgentCommandName,
    parameters?: Record<string, unknown> | null,
  ): Promise<AgentCommandResultDto> {
    let previousStatus: AgentStatus | null = null;
    const agent = await this.dataSource.transaction(async (manager) => {
      const { agent, running } = await this.agents.lockWithRunningOrFail(manager, agentId);
      const next = statusAfterCommand(command, running, agent.maxConcurrentTasks);
      previousStatus = await this.repository.transition(manager, agent, next, 'command');
      agent.lastActivity = new Date();
      return manager.save(agent);
    });
    const snapshot = await this.views.snapshot(agent);
    await this.views.announce(snapshot, null, previousStatus);
    await this.events.publish('agent.command', {
      agent_id: agentId,
      command,
      parameters: parameters ?? {},
    });
    return { command, agent: toV2(snapshot) };
  }

  /**
   * Applies one operation to up to 100 agents, each on its own (one failing item does
   * not undo the others). Repeated ids are reported and applied once.
   */
  async bulk(dto: BulkAgentOperationDto): Promise<BulkAgentResultDto> {
    const update =
      dto.operation === 'update' ? await bulkUpdate(UpdateAgentDto, dto.parameters) : undefined;
    const outcome = await eachOnce<BulkAgentItemDto>(
      dto.agent_ids,
      (agentId) => this.applyOne(agentId, dto, update),
      (agentId, error) => ({ agent_id: agentId, success: false, error }),
      refusalOf('Agent not found'),
    );
    return { operation: dto.operation, total_agents: dto.agent_ids.length, ...outcome };
  }

  private async applyOne(
    agentId: string,
    dto: BulkAgentOperationDto,
    update: UpdateAgentDto | undefined,
  ): Promise<BulkAgentItemDto> {
    switch (dto.operation) {
      case 'delete':
        await this.agents.deleteAgent(agentId);
        return { agent_id: agentId, success: true, action: 'deleted' };
      case 'update':
        await this.agents.applyUpdate(agentId, update!);
        return { agent_id: agentId, success: true, action: 'updated' };
      default:
        await this.command(agentId, dto.operation, dto.parameters);
        return { agent_id: agentId, success: true, action: dto.operation };
    }
  }
}
