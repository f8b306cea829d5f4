import { Injectable } from '@nestjs/common';
import { AGENT_STATUSES } from '../../agents/agent-status.js';
import { AgentsV1Service } from '../../agents/agents-v1.service.js';
import type {
  V1SystemAgentMetricsDto,
  V1SystemTaskMetricsDto,
  V1SystemWorkflowMetricsDto,
  WorkloadFiguresDto,
} from '../dto/workload.dto.js';
import { rate } from '../../common/resources.js';
import { WorkloadQuery } from './workload.query.js';
import { type CountRow, countsBy, toV1TaskMetrics, toWorkloadFigures } from './workload.js';

/**
 * Agents, tasks and workflows as system figures: the counts in every measurement
 * (and so in snapshots and v1 status), and the v1 per-entity metrics routes.
 */
@Injectable()
export class WorkloadService {
  constructor(
    private readonly query: WorkloadQuery,
    private readonly agents: AgentsV1Service,
  ) {}

  /** Agents counted by status (analytics' utilisation). */
  agentsByStatus(): Promise<CountRow[]> {
    return this.query.agentsByStatus();
  }

  async figures(): Promise<WorkloadFiguresDto> {
    const [agents, tasks, workflows, runs] = await Promise.all([
      this.query.agentsByStatus(),
      this.query.tasksByStatus(),
      this.query.workflowBreakdowns(),
      this.query.runsByStatus(),
    ]);
    return toWorkloadFigures(
      agents,
      tasks,
      workflows.filter((row) => row.by === 'status'),
      runs,
    );
  }

  /** The means come from the agents module, so they equal what `/agents/stats/summary` says. */
  async agentMetricsV1(): Promise<V1SystemAgentMetricsDto> {
    const [statuses, types, totals, summary] = await Promise.all([
      this.query.agentsByStatus(),
      this.query.agentsByType(),
      this.query.agentTaskTotals(),
      this.agents.statsSummary(),
    ]);
    const byStatus = countsBy(AGENT_STATUSES, statuses);
    const total = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
    return {
      total_agents: total,
      by_status: byStatus,
      by_type: countsBy([], types),
      performance: {
        avg_success_rate: total ? summary.avg_success_rate : 0,
        avg_response_time: total ? summary.avg_response_time : 0,
        avg_uptime: total ? summary.avg_uptime : 0,
        total_tasks_completed: totals.completed,
        total_tasks_failed: totals.failed,
      },
    };
  }

  async taskMetricsV1(): Promise<V1SystemTaskMetricsDto> {
    const [breakdowns, performance] = await Promise.all([
      this.query.taskBreakdowns(),
      this.query.taskPerformance(),
    ]);
    return toV1TaskMetrics(breakdowns, performance);
  }

  async workflowMetricsV1(): Promise<V1SystemWorkflowMetricsDto> {
    const [breakdowns, figures] = await Promise.all([
      this.workflowBreakdowns(),
      this.query.workflowPerformance(),
    ]);
    return {
      total_workflows: figures.workflows,
      by_status: breakdowns.status,
      by_type: breakdowns.type,
      performance: {
        completion_rate: rate(figures.completed, figures.runs),
        avg_progress: Math.round((figures.avg_progress ?? 0) * 100) / 100,
        avg_success_rate: rate(figures.completed, figures.completed + figures.failed),
        avg_duration: Math.round(figures.avg_duration_ms ?? 0),
        template_count: figures.templates,
      },
    };
  }

  private async workflowBreakdowns(): Promise<Record<'status' | 'type', Record<string, number>>> {
    const rows = await this.query.workflowBreakdowns();
    const pick = (by: 'status' | 'type') =>
      Object.fromEntries(rows.filter((row) => row.by === by).map((row) => [row.key, row.count]));
    return { status: pick('status'), type: pick('type') };
  }
}
