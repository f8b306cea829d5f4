import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { AgentFiguresQuery } from './agent-figures.query.js';
import { readsSecretsOf } from '../agent-definition/agent-secrets.js';
import { AgentViews, toV1 } from './agent-views.service.js';
import { successRate } from './agent.mapper.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import type { CreateAgentDto, V1ListAgentsQuery } from './dto/agent.dto.js';
import type {
  AgentV1MessageDto,
  V1AgentMetricsDto,
  V1AgentResponseDto,
  V1AgentStatsDto,
  V1AgentStatusDto,
  V1UpdateAgentDto,
} from './dto/agent-v1.dto.js';

/** The v1 agents API as an adapter over the v2 service: the same store, the original shapes. */
@Injectable()
export class AgentsV1Service {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly repository: AgentsRepository,
    private readonly figures: AgentFiguresQuery,
    private readonly views: AgentViews,
  ) {}

  /** The original had no order; ours is stable (oldest first) so paging is reliable. */
  async list(query: V1ListAgentsQuery, reader: Principal): Promise<V1AgentResponseDto[]> {
    const agents = await this.repository.rows(query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: 'created_at',
      sortOrder: 'asc',
    });
    return this.views.v1List(agents, (id) => readsSecretsOf(reader, id));
  }

  async get(id: string, reader: Principal): Promise<V1AgentResponseDto> {
    const agent = await this.agents.find(id);
    return toV1(await this.views.snapshot(agent), readsSecretsOf(reader, id));
  }

  async create(dto: CreateAgentDto): Promise<V1AgentResponseDto> {
    return toV1(await this.agents.createAgent(dto));
  }

  async update(id: string, dto: V1UpdateAgentDto): Promise<V1AgentResponseDto> {
    return toV1(await this.agents.applyUpdate(id, dto));
  }

  async setStatus(id: string, dto: V1AgentStatusDto): Promise<V1AgentResponseDto> {
    return toV1(
      await this.agents.applyUpdate(id, {
        status: dto.status,
        current_task_id: dto.current_task_id,
        current_task_title: dto.current_task_title,
      }),
    );
  }

  /** `PATCH /metrics`: kept as reported figures beside the derived ones. */
  async reportFigures(id: string, dto: V1AgentMetricsDto): Promise<V1AgentResponseDto> {
    const agent = await this.dataSource.transaction(async (manager) => {
      const agent = await this.agents.lockOrFail(manager, id);
      const reported = { ...agent.reportedFigures };
      for (const field of [
        'tasks_completed',
        'tasks_failed',
        'avg_response_time',
        'uptime_percentage',
      ] as const)
        if (dto[field] !== undefined) reported[field] = dto[field];
      if (reported.tasks_completed !== undefined || reported.tasks_failed !== undefined)
        reported.success_rate = successRate(
          reported.tasks_completed ?? 0,
          reported.tasks_failed ?? 0,
        );
      reported.reported_at = new Date().toISOString();
      agent.reportedFigures = reported;
      agent.lastActivity = new Date();
      return manager.save(agent);
    });
    const snapshot = await this.views.snapshot(agent);
    await this.views.announce(snapshot, 'updated');
    return toV1(snapshot);
  }

  async remove(id: string): Promise<AgentV1MessageDto> {
    await this.agents.deleteAgent(id);
    return { message: 'Agent deleted successfully' };
  }

  async statsSummary(): Promise<V1AgentStatsDto> {
    const [counts, ids] = await Promise.all([
      this.repository.countByStatus(),
      this.repository.allIds(),
    ]);
    const figures = [...(await this.figures.forAgents(ids)).values()];
    const mean = (values: number[], empty: number) =>
      values.length
        ? Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 100) / 100
        : empty;
    return {
      total_agents: ids.length,
      active_agents: counts.active,
      idle_agents: counts.idle,
      busy_agents: counts.busy,
      offline_agents: counts.offline,
      avg_success_rate: mean(
        figures.map((f) => successRate(f.tasksCompleted, f.tasksFailed)),
        0,
      ),
      avg_response_time: mean(
        figures.map((f) => f.avgResponseTimeMs),
        0,
      ),
      avg_uptime: mean(
        figures.flatMap((f) => (f.uptimePercentage === null ? [] : [f.uptimePercentage])),
        100,
      ),
    };
  }
}
