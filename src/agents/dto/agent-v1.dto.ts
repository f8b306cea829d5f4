import { ApiProperty } from '@nestjs/swagger';
import { AGENT_STATUSES, type AgentStatus } from '../agent-status.js';
import { CurrentTaskDto, PerformanceMetricsDto, UpdateAgentDto } from './agent.dto.js';
import { HeartbeatDto } from './agent-operations.dto.js';
import {
  DateTimeField,
  EnumField,
  NumberField,
  TextField,
  UuidField,
} from '../../common/validation/fields.js';

/** v1 `PUT`: the v2 writable fields plus the original's status and current task. */
export class V1UpdateAgentDto extends UpdateAgentDto {
  @EnumField(AGENT_STATUSES, 'AgentStatus', { optional: true })
  status?: AgentStatus;

  @UuidField({ nullable: true })
  current_task_id?: string;

  @TextField({ max: 500 }, { nullable: true })
  current_task_title?: string;
}

export class V1AgentStatusDto {
  @EnumField(AGENT_STATUSES, 'AgentStatus')
  status: AgentStatus;

  @UuidField({ nullable: true })
  current_task_id?: string;

  @TextField({ max: 500 }, { nullable: true })
  current_task_title?: string;
}

/** v1 `PATCH /metrics`: stored as reported figures, never over the derived ones. */
export class V1AgentMetricsDto {
  @NumberField({ min: 0 }, { nullable: true })
  tasks_completed?: number;

  @NumberField({ min: 0 }, { nullable: true })
  tasks_failed?: number;

  @NumberField({ min: 0 }, { nullable: true })
  avg_response_time?: number;

  @NumberField({ min: 0, max: 100 }, { nullable: true })
  uptime_percentage?: number;
}

/** v1 heartbeat: the original's redundant `agent_id` and `timestamp` are accepted and ignored. */
export class V1HeartbeatDto extends HeartbeatDto {
  @UuidField({ nullable: true, doc: { description: 'Ignored: the path names the agent' } })
  agent_id?: string;

  @DateTimeField({ nullable: true, doc: { description: 'Echoed in the answer' } })
  timestamp?: string;
}

export class V1HeartbeatResponseDto {
  @ApiProperty({ enum: ['heartbeat_received'] }) status: 'heartbeat_received';
  @ApiProperty({ format: 'date-time' }) timestamp: string;
}

export class AgentV1MessageDto {
  @ApiProperty({ example: 'Agent deleted successfully' }) message: string;
}

/** The original v1 AgentResponse. */
export class V1AgentResponseDto {
  @ApiProperty() name: string;
  @ApiProperty() agent_type: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() model: string;
  @ApiProperty({ type: [String] }) tools: string[];
  @ApiProperty({ type: [String] }) capabilities: string[];
  @ApiProperty({ type: 'object', additionalProperties: true })
  configuration: Record<string, unknown>;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: AGENT_STATUSES, enumName: 'AgentStatus' }) status: AgentStatus;
  @ApiProperty({ type: CurrentTaskDto }) current_task: CurrentTaskDto;
  @ApiProperty({ type: PerformanceMetricsDto }) performance_metrics: PerformanceMetricsDto;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_activity: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_heartbeat: string | null;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class V1AgentStatsDto {
  @ApiProperty() total_agents: number;
  @ApiProperty() active_agents: number;
  @ApiProperty() idle_agents: number;
  @ApiProperty() busy_agents: number;
  @ApiProperty() offline_agents: number;
  @ApiProperty({ description: 'Mean of the agents’ success rates, %' }) avg_success_rate: number;
  @ApiProperty({ description: 'Mean of the agents’ average task durations, ms' })
  avg_response_time: number;
  @ApiProperty({ description: 'Mean uptime, %; 100 when there are no agents' })
  avg_uptime: number;
}
