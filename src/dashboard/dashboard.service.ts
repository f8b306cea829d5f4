import { ANONYMOUS_DASHBOARD_READER } from '../auth/principal.js';
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { AgentsService } from '../agents/agents.service.js';
import type { AgentResponseDto } from '../agents/dto/agent.dto.js';
import { ListAgentsQuery } from '../agents/dto/agent.dto.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import {
  dashboardAgent,
  type DashboardOverview,
  dashboardPerformance,
  dashboardTask,
  recentTaskRow,
  seconds,
} from './dashboard-feed.js';
import { LiveMetricsService } from '../telemetry/measure/live-metrics.service.js';
import { ListTasksQuery } from '../tasks/dto/task.dto.js';
import { TasksService } from '../tasks/tasks.service.js';
import type { TaskResponseDto } from '../tasks/dto/task.dto.js';
import {
  type DashboardRange,
  type HistoryRange,
  type HistoryType,
  RANGE_HOURS,
} from './dashboard.dto.js';
import { DashboardQuery, type HistoryRow } from './dashboard.query.js';

/** The boards show at most this many agents and tasks (the most recent). */
const MAX_ITEMS = 1000;
const RECENT_TASKS = 20;
const HISTORY_EVENTS = 200;
/** `systemHealth` splits the range into this many equal parts. */
const HEALTH_BUCKETS = 24;

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const percent = (part: number, whole: number) => (whole ? round((part / whole) * 100) : 0);

const HISTORY_STATUS: Record<
  HistoryType,
  (status: string) => 'success' | 'error' | 'warning' | 'info'
> = {
  task_created: () => 'info',
  agent_assigned: () => 'info',
  task_completed: () => 'success',
  task_failed: () => 'error',
  workflow_started: () => 'info',
  workflow_completed: (status) =>
    status === 'completed' ? 'success' : status === 'failed' ? 'error' : 'warning',
};

function describe(row: HistoryRow): string {
  switch (row.kind) {
    case 'task_created':
      return `Task "${row.title}" was created`;
    case 'agent_assigned':
      return `${row.agent} started "${row.title}"`;
    case 'task_completed':
      return `"${row.title}" was completed${row.agent ? ` by ${row.agent}` : ''}`;
    case 'task_failed':
      return `"${row.title}" ${row.status === 'cancelled' ? 'was cancelled' : 'failed'}${row.agent ? ` on ${row.agent}` : ''}${row.error ? `: ${row.error}` : ''}`;
    case 'workflow_started':
      return `Workflow "${row.title}" started`;
    case 'workflow_completed':
      return `Workflow "${row.title}" ended ${row.status}${row.error ? `: ${row.error}` : ''}`;
  }
}

/**
 * The existing SubForge dashboard's REST routes (reference/dashboard-client.md), in
 * its camelCase vocabulary, computed from the real store: the same mappings as the
 * Socket.IO feed on namespace /. An empty store gives zeros and empty lists.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly query: DashboardQuery,
    private readonly agents: AgentsService,
    private readonly tasks: TasksService,
    private readonly live: LiveMetricsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async overview(): Promise<DashboardOverview> {
    const [agents, tasks, system] = await Promise.all([
      this.query.countsByStatus('agents'),
      this.query.countsByStatus('tasks'),
      this.systemFigures(),
    ]);
    const count = (counts: Record<string, number>, ...statuses: string[]) =>
      statuses.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
    const total = (counts: Record<string, number>) =>
      Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      agents: {
        total: total(agents),
        active: count(agents, 'active'),
        idle: count(agents, 'idle', 'inactive'),
        error: count(agents, 'error', 'offline'),
      },
      tasks: {
        completed: count(tasks, 'completed'),
        pending: count(tasks, 'pending', 'blocked'),
        failed: count(tasks, 'failed', 'cancelled'),
        total: total(tasks),
      },
      system,
    };
  }

  /** Uptime of this process; CPU, memory and connections from the newest snapshot, or measured now. */
  private async systemFigures() {
    const uptime = Math.floor(process.uptime());
    const snapshot = await this.query.freshSnapshot(this.config.metricsIntervalSeconds * 2);
    if (snapshot) {
      return {
        uptime,
        cpu: round(snapshot.cpu ?? 0),
        memory: round(snapshot.memory ?? 0),
        connections: snapshot.connections ?? 0,
      };
    }
    const measured = await this.live.measure();
    return {
      uptime,
      cpu: round(measured.host.cpu_percent ?? 0),
      memory: round(measured.host.memory.used_percent),
      connections:
        measured.sockets?.cluster_connections ?? measured.sockets?.local_connections ?? 0,
    };
  }

  private async allAgents(): Promise<AgentResponseDto[]> {
    const query = plainToInstance(ListAgentsQuery, {
      limit: MAX_ITEMS,
      sort_by: 'name',
      sort_order: 'asc',
    });
    // The dashboard's shapes never carry configuration: read as the public reader (masked).
    return (await this.agents.list(query, ANONYMOUS_DASHBOARD_READER)).data;
  }

  private async latestTasks(
    limit: number,
    sortBy: 'created_at' | 'updated_at',
  ): Promise<TaskResponseDto[]> {
    const query = plainToInstance(ListTasksQuery, { limit, sort_by: sortBy, sort_order: 'desc' });
    return (await this.tasks.list(query)).data;
  }

  async agentList() {
    return { agents: (await this.allAgents()).map((agent) => dashboardAgent(agent)) };
  }

  async agentsDetailed() {
    return {
      agents: (await this.allAgents()).map((agent) => ({
        ...dashboardAgent(agent),
        model: agent.model,
        capabilities: agent.capabilities,
        createdAt: agent.created_at,
        performance: dashboardPerformance(agent),
      })),
    };
  }

  async recentTasks() {
    const tasks = await this.latestTasks(RECENT_TASKS, 'updated_at');
    return { tasks: tasks.map((task) => recentTaskRow(task)) };
  }

  async taskBoard() {
    const tasks = await this.latestTasks(MAX_ITEMS, 'created_at');
    return { tasks: tasks.map((task) => dashboardTask(task)) };
  }

  async metrics(range: DashboardRange) {
    const [daily, health, agents] = await Promise.all([
      this.query.dailyTasks(RANGE_HOURS[range] / 24),
      this.query.healthBuckets(RANGE_HOURS[range], HEALTH_BUCKETS),
      this.allAgents(),
    ]);
    const now = Date.now();
    return {
      taskCompletion: daily.map((day) => ({
        date: day.date,
        completed: day.completed,
        failed: day.failed,
        total: day.completed + day.failed,
      })),
      agentPerformance: agents
        .filter(
          (agent) =>
            agent.performance_metrics.tasks_completed + agent.performance_metrics.tasks_failed > 0,
        )
        .map((agent) => ({
          agentName: agent.name,
          successRate: agent.performance_metrics.success_rate ?? 0,
          avgResponseTime: seconds(agent.performance_metrics.avg_response_time ?? 0),
          tasksCompleted: agent.performance_metrics.tasks_completed,
        })),
      systemHealth: health.map((bucket) => ({
        timestamp: new Date(bucket.start).toISOString(),
        cpu: round(bucket.cpu ?? 0),
        memory: round(bucket.memory ?? 0),
        activeConnections: bucket.connections ?? 0,
      })),
      productivity: daily.map((day) => {
        // Today counts only the hours that have passed.
        const hours = Math.min(
          24,
          Math.max(1, (now - Date.parse(`${day.date}T00:00:00Z`)) / 3_600_000),
        );
        return {
          date: day.date,
          tasksPerHour: round(day.completed / hours, 2),
          agentsActive: day.agents_active,
          efficiency: percent(day.completed, day.completed + day.failed),
        };
      }),
    };
  }

  async history(range: HistoryRange) {
    const rows = await this.query.history(RANGE_HOURS[range], HISTORY_EVENTS);
    return {
      events: rows.map((row) => ({
        id: `${row.kind}:${row.task_id ?? row.run_id}`,
        type: row.kind,
        title: row.title,
        description: describe(row),
        ...(row.agent ? { agent: row.agent } : {}),
        ...(row.task_id ? { task: row.title } : {}),
        timestamp: new Date(row.at).toISOString(),
        status: HISTORY_STATUS[row.kind](row.status),
        ...(row.duration_ms != null ? { duration: seconds(row.duration_ms) } : {}),
        // The dashboard shows every key but taskId, agentId and workflowId as a chip; a
        // run is the workflow id of /api/subforge.
        metadata: {
          ...(row.task_id ? { taskId: row.task_id } : {}),
          ...(row.run_id ? { workflowId: row.run_id } : {}),
          status: row.status,
          ...(row.error ? { error: row.error } : {}),
        },
      })),
    };
  }
}
