import { Injectable } from '@nestjs/common';
import { AgentFiguresQuery } from './agent-figures.query.js';
import { successRate } from './agent.mapper.js';
import { AgentLogsRepository } from './agent-logs.repository.js';
import { AgentsService } from './agents.service.js';
import type { AgentMetricsDto, MetricsTimeRange } from './dto/agent-operations.dto.js';

export const TIME_RANGE_MS: Record<MetricsTimeRange, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

const round2 = (value: number) => Math.round(value * 100) / 100;
const roundOrNull = (value: number | null) => (value === null ? null : round2(value));

/** `GET /agents/{id}/metrics`: every figure computed from stored tasks, history and logs. */
@Injectable()
export class AgentMetricsService {
  constructor(
    private readonly agents: AgentsService,
    private readonly figures: AgentFiguresQuery,
    private readonly logs: AgentLogsRepository,
  ) {}

  async metrics(agentId: string, timeRange: MetricsTimeRange): Promise<AgentMetricsDto> {
    await this.agents.find(agentId);
    const end = new Date();
    const start = new Date(end.getTime() - TIME_RANGE_MS[timeRange]);
    const [tasks, uptime, errors] = await Promise.all([
      this.figures.taskWindow(agentId, start),
      this.figures.uptime([agentId], start),
      this.logs.countAtLeast(agentId, 'ERROR', start),
    ]);
    const hours = TIME_RANGE_MS[timeRange] / 3_600_000;
    return {
      agent_id: agentId,
      time_range: timeRange,
      period_start: start.toISOString(),
      period_end: end.toISOString(),
      tasks_completed: tasks.completed,
      tasks_failed: tasks.failed,
      success_rate: successRate(tasks.completed, tasks.failed),
      task_duration: {
        avg: roundOrNull(tasks.avgDuration),
        p50: roundOrNull(tasks.p50Duration),
        p95: roundOrNull(tasks.p95Duration),
      },
      throughput_per_hour: round2(tasks.completed / hours),
      uptime_percentage: roundOrNull(uptime.get(agentId)?.percentage ?? null),
      error_count: errors,
      status_changes: uptime.get(agentId)?.statusChanges ?? 0,
    };
  }
}
