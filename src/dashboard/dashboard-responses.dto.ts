import { ApiProperty } from '@nestjs/swagger';

/** Items in the existing dashboard's camelCase shapes (reference/dashboard-client.md). */
const ITEMS = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;

export class OverviewAgentCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() active: number;
  @ApiProperty() idle: number;
  @ApiProperty() error: number;
}

export class OverviewTaskCountsDto {
  @ApiProperty() completed: number;
  @ApiProperty() pending: number;
  @ApiProperty() failed: number;
  @ApiProperty() total: number;
}

export class OverviewSystemDto {
  @ApiProperty({ description: 'seconds' }) uptime: number;
  @ApiProperty({ description: '%' }) cpu: number;
  @ApiProperty({ description: '%' }) memory: number;
  @ApiProperty() connections: number;
}

export class DashboardOverviewDto {
  @ApiProperty({ type: OverviewAgentCountsDto }) agents: OverviewAgentCountsDto;
  @ApiProperty({ type: OverviewTaskCountsDto }) tasks: OverviewTaskCountsDto;
  @ApiProperty({ type: OverviewSystemDto }) system: OverviewSystemDto;
}

export class DashboardAgentsDto {
  @ApiProperty(ITEMS) agents: object[];
}

export class DashboardTasksDto {
  @ApiProperty(ITEMS) tasks: object[];
}

export class DashboardMetricsDto {
  @ApiProperty(ITEMS) taskCompletion: Record<string, unknown>[];
  @ApiProperty(ITEMS) agentPerformance: Record<string, unknown>[];
  @ApiProperty(ITEMS) systemHealth: Record<string, unknown>[];
  @ApiProperty(ITEMS) productivity: Record<string, unknown>[];
}

export class DashboardHistoryDto {
  @ApiProperty(ITEMS) events: Record<string, unknown>[];
}
