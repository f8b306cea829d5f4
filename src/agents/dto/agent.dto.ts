import { ApiProperty, ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQuery, V1PageQuery } from '../../common/pagination/page.js';
import { AGENT_STATUSES, type AgentStatus } from '../agent-status.js';
import {
  IsOptionalNotNull,
  QueryBoolean,
  QueryList,
  StringList,
} from '../../common/validation/decorators.js';

/** The writable fields of an agent (CONTRACT §3 "Agents"). */
export class AgentWritableFields {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string | null;

  @ApiPropertyOptional({ example: 'claude-3-sonnet', maxLength: 100 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 100)
  model?: string;

  @ApiPropertyOptional({ type: [String], example: ['read', 'write', 'edit'] })
  @IsOptionalNotNull()
  @StringList()
  tools?: string[];

  @ApiPropertyOptional({ type: [String], example: ['typescript', 'testing'] })
  @IsOptionalNotNull()
  @StringList()
  capabilities?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  configuration?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['team-a'] })
  @IsOptionalNotNull()
  @StringList()
  tags?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1000)
  max_concurrent_tasks?: number;
}

export class CreateAgentDto extends AgentWritableFields {
  @ApiProperty({ example: 'frontend-developer', minLength: 1, maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiProperty({ example: 'frontend', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  agent_type: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES, enumName: 'AgentStatus', default: 'idle' })
  @IsOptionalNotNull()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;
}

export class UpdateAgentDto extends AgentWritableFields {
  @ApiPropertyOptional({ minLength: 1, maxLength: 255 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 255)
  name?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 100)
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
  @ApiPropertyOptional({ enum: AGENT_STATUSES, enumName: 'AgentStatus' })
  @IsOptional()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  agent_type?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ description: 'Comma list; an agent matches if it has any of them' })
  @IsOptional()
  @QueryList()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ description: 'Case-insensitive text in the name or description' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({ enum: AGENT_SORT_FIELDS, enumName: 'AgentSortBy', default: 'created_at' })
  @IsOptional()
  @IsIn(AGENT_SORT_FIELDS)
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
