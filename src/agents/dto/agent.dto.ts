import { ApiProperty, IntersectionType, PickType } from '@nestjs/swagger';
import { PageQuery, V1PageQuery } from '../../common/pagination/page.js';
import { AGENT_STATUSES, type AgentStatus } from '../agent-status.js';
import {
  EnumField,
  IntField,
  ObjectField,
  QueryFlag,
  QueryTags,
  StringListField,
  TextField,
} from '../../common/validation/fields.js';

/** The writable fields of an agent (CONTRACT §3 "Agents"). */
export class AgentWritableFields {
  @TextField({ max: 10_000 }, { nullable: true })
  description?: string | null;

  @TextField({ min: 1, max: 100 }, { optional: true, doc: { example: 'claude-3-sonnet' } })
  model?: string;

  @StringListField({ optional: true, doc: { example: ['read', 'write', 'edit'] } })
  tools?: string[];

  @StringListField({ optional: true, doc: { example: ['typescript', 'testing'] } })
  capabilities?: string[];

  @ObjectField({ optional: true })
  configuration?: Record<string, unknown>;

  @StringListField({ optional: true, doc: { example: ['team-a'] } })
  tags?: string[];

  @ObjectField({ optional: true })
  metadata?: Record<string, unknown>;

  @IntField({ min: 1, max: 1000 }, { optional: true, doc: { default: 1 } })
  max_concurrent_tasks?: number;
}

export class CreateAgentDto extends AgentWritableFields {
  @TextField({ min: 1, max: 255 }, { doc: { example: 'frontend-developer' } })
  name: string;

  @TextField({ min: 1, max: 100 }, { doc: { example: 'frontend' } })
  agent_type: string;

  @EnumField(AGENT_STATUSES, 'AgentStatus', { optional: true, doc: { default: 'idle' } })
  status?: AgentStatus;
}

export class UpdateAgentDto extends AgentWritableFields {
  @TextField({ min: 1, max: 255 }, { optional: true })
  name?: string;

  @TextField({ min: 1, max: 100 }, { optional: true })
  agent_type?: string;
}

export const AGENT_SORT_FIELDS = [
  'name',
  'status',
  'created_at',
  'updated_at',
  'last_heartbeat',
] as const;
export type AgentSortField = (typeof AGENT_SORT_FIELDS)[number];

/** Filters shared by the v1 and v2 lists. */
export interface AgentFilters {
  status?: AgentStatus;
  agent_type?: string;
  is_active?: boolean;
  tags?: string[];
  search?: string;
}

export class ListAgentsQuery extends PageQuery implements AgentFilters {
  @EnumField(AGENT_STATUSES, 'AgentStatus', { optional: true })
  status?: AgentStatus;

  @TextField({ min: 1, max: 100 }, { optional: true })
  agent_type?: string;

  @QueryFlag()
  is_active?: boolean;

  @QueryTags('Comma list; an agent matches if it has any of them')
  tags?: string[];

  @TextField(
    { min: 1, max: 200 },
    { optional: true, doc: { description: 'Case-insensitive text in the name or description' } },
  )
  search?: string;

  @EnumField(AGENT_SORT_FIELDS, 'AgentSortBy', { optional: true, doc: { default: 'created_at' } })
  sort_by: AgentSortField = 'created_at';
}

/** The v1 list: v1 paging (no sorting) and the filters it shares with the v2 list, taken from it. */
export class V1ListAgentsQuery
  extends IntersectionType(
    V1PageQuery,
    PickType(ListAgentsQuery, ['status', 'agent_type', 'is_active'] as const),
  )
  implements AgentFilters {}

export class CurrentTaskDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) id: string | null;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
}

export class PerformanceMetricsDto {
  @ApiProperty({ description: 'Completed tasks assigned to the agent' }) tasks_completed: number;
  @ApiProperty({ description: 'Failed tasks assigned to the agent' }) tasks_failed: number;
  @ApiProperty({ description: 'completed / (completed + failed), in %' }) success_rate: number;
  @ApiProperty({ description: 'Mean duration of its completed tasks, ms' })
  avg_response_time: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Share of the last 7 days (since its first heartbeat) spent active, idle or busy, in %; null until the agent sends a heartbeat',
  })
  uptime_percentage: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'As reported by the client (v1)' })
  reported_tasks_completed: number | null;
  @ApiProperty({ nullable: true, type: Number }) reported_tasks_failed: number | null;
  @ApiProperty({ nullable: true, type: Number }) reported_success_rate: number | null;
  @ApiProperty({ nullable: true, type: Number }) reported_avg_response_time: number | null;
  @ApiProperty({ nullable: true, type: Number }) reported_uptime_percentage: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) reported_at: string | null;
}

/** The v2 representation of an agent (CONTRACT §3), also the payload of its events. */
export class AgentResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() agent_type: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() model: string;
  @ApiProperty({ type: [String] }) tools: string[];
  @ApiProperty({ type: [String] }) capabilities: string[];
  @ApiProperty({ type: 'object', additionalProperties: true })
  configuration: Record<string, unknown>;
  @ApiProperty({ enum: AGENT_STATUSES, enumName: 'AgentStatus' }) status: AgentStatus;
  @ApiProperty({ type: CurrentTaskDto, nullable: true }) current_task: CurrentTaskDto | null;
  @ApiProperty({ type: PerformanceMetricsDto }) performance_metrics: PerformanceMetricsDto;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_activity: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_heartbeat: string | null;
  @ApiProperty() is_active: boolean;
  @ApiProperty() max_concurrent_tasks: number;
  @ApiProperty({ description: 'Tasks of this agent now in progress' }) running_tasks: number;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class AgentPageDto {
  @ApiProperty({ type: [AgentResponseDto] }) data: AgentResponseDto[];
  @ApiProperty({ example: { total: 1, skip: 0, limit: 50 } }) meta: {
    total: number;
    skip: number;
    limit: number;
  };
}
