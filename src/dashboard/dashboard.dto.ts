import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export const DASHBOARD_RANGES = ['24h', '7d', '30d', '90d'] as const;
export type DashboardRange = (typeof DASHBOARD_RANGES)[number];

export const RANGE_DAYS: Record<DashboardRange, number> = {
  '24h': 1,
  '7d': 7,
  '30d': 30,
  '90d': 90,
};

export class RangeQuery {
  @ApiPropertyOptional({ enum: DASHBOARD_RANGES, enumName: 'DashboardRange', default: '7d' })
  @IsOptional()
  @IsIn(DASHBOARD_RANGES)
  range: DashboardRange = '7d';
}

/** The dashboard's history entry types. */
export type HistoryType =
  | 'workflow_started'
  | 'workflow_completed'
  | 'task_created'
  | 'task_completed'
  | 'task_failed'
  | 'agent_assigned';
