import { iso } from '../common/time.js';
import { maskSecrets } from '../agent-definition/agent-secrets.js';
import type { AgentLogDto } from './dto/agent-operations.dto.js';
import type { AgentResponseDto, PerformanceMetricsDto } from './dto/agent.dto.js';
import type { V1AgentResponseDto } from './dto/agent-v1.dto.js';
import type { AgentLogEntity } from './entities/agent-log.entity.js';
import type { AgentEntity } from './entities/agent.entity.js';

/** What the service derives about an agent from its tasks and status history. */
export interface AgentFigures {
  tasksCompleted: number;
  tasksFailed: number;
  /** Mean duration of completed tasks, ms; 0 without any. */
  avgResponseTimeMs: number;
  /** null until the agent's first heartbeat. */
  uptimePercentage: number | null;
  /** Its tasks now in progress. */
  running: number;
}

export const NO_FIGURES: AgentFigures = Object.freeze({
  tasksCompleted: 0,
  tasksFailed: 0,
  avgResponseTimeMs: 0,
  uptimePercentage: null,
  running: 0,
});

const round2 = (value: number) => Math.round(value * 100) / 100;

export function successRate(completed: number, failed: number): number {
  const finished = completed + failed;
  return finished ? round2((completed / finished) * 100) : 0;
}

function performanceMetrics(agent: AgentEntity, figures: AgentFigures): PerformanceMetricsDto {
  const reported = agent.reportedFigures ?? {};
  return {
    tasks_completed: figures.tasksCompleted,
    tasks_failed: figures.tasksFailed,
    success_rate: successRate(figures.tasksCompleted, figures.tasksFailed),
    avg_response_time: round2(figures.avgResponseTimeMs),
    uptime_percentage: figures.uptimePercentage === null ? null : round2(figures.uptimePercentage),
    reported_tasks_completed: reported.tasks_completed ?? null,
    reported_tasks_failed: reported.tasks_failed ?? null,
    reported_success_rate: reported.success_rate ?? null,
    reported_avg_response_time: reported.avg_response_time ?? null,
    reported_uptime_percentage: reported.uptime_percentage ?? null,
    reported_at: reported.reported_at ?? null,
  };
}

/** What an agent definition says, in both versions' names and order. */
function definitionOf(agent: AgentEntity, revealSecrets: boolean) {
  return {
    name: agent.name,
    agent_type: agent.agentType,
    description: agent.description,
    model: agent.model,
    tools: agent.tools,
    capabilities: agent.capabilities,
    configuration: revealSecrets ? agent.configuration : maskSecrets(agent.configuration),
  };
}

/**
 * The v2 representation (CONTRACT §3 Agent): the API's and the events' one shape.
 * Environment variables read `***` unless the reader may see them (never in events).
 */
export function toAgentResponse(
  agent: AgentEntity,
  figures: AgentFigures,
  revealSecrets = false,
): AgentResponseDto {
  return {
    id: agent.id,
    ...definitionOf(agent, revealSecrets),
    status: agent.status,
    current_task: agent.currentTaskId
      ? { id: agent.currentTaskId, title: agent.currentTaskTitle }
      : null,
    performance_metrics: performanceMetrics(agent, figures),
    last_activity: iso(agent.lastActivity),
    last_heartbeat: iso(agent.lastHeartbeat),
    is_active: agent.isActive,
    max_concurrent_tasks: agent.maxConcurrentTasks,
    running_tasks: figures.running,
    tags: agent.tags,
    metadata: agent.metadata,
    created_at: iso(agent.createdAt)!,
    updated_at: iso(agent.updatedAt)!,
  };
}

/** The original v1 AgentResponse, from the same data. */
export function toV1AgentResponse(
  agent: AgentEntity,
  figures: AgentFigures,
  revealSecrets = false,
): V1AgentResponseDto {
  return {
    ...definitionOf(agent, revealSecrets),
    id: agent.id,
    status: agent.status,
    current_task: { id: agent.currentTaskId, title: agent.currentTaskTitle },
    performance_metrics: performanceMetrics(agent, figures),
    last_activity: iso(agent.lastActivity),
    last_heartbeat: iso(agent.lastHeartbeat),
    is_active: agent.isActive,
    created_at: iso(agent.createdAt)!,
    updated_at: iso(agent.updatedAt)!,
  };
}

export function toAgentLogResponse(log: AgentLogEntity): AgentLogDto {
  return {
    id: String(log.id),
    agent_id: log.agentId,
    timestamp: iso(log.timestamp)!,
    level: log.level,
    message: log.message,
    details: log.details,
    task_id: log.taskId,
  };
}
