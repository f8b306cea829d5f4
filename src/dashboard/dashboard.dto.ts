import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** `/api/metrics` ranges; `/api/history` also takes `1h`. */
export const DASHBOARD_RANGES = ['24h', '7d', '30d', '90d'] as const;
export type DashboardRange = (typeof DASHBOARD_RANGES)[number];
export const HISTORY_RANGES = ['1h', ...DASHBOARD_RANGES] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export const RANGE_HOURS: Record<HistoryRange, number> = {
  '1h': 1,
  '24h': 24,
  '7d': 7 * 24,
  '30d': 30 * 24,
  '90d': 90 * 24,
};

export class RangeQuery {
  @ApiPropertyOptional({ enum: DASHBOARD_RANGES, enumName: 'DashboardRange', default: '7d' })
  @IsOptional()
  @IsIn(DASHBOARD_RANGES)
  range: DashboardRange = '7d';
}

export class HistoryRangeQuery {
  @ApiPropertyOptional({ enum: HISTORY_RANGES, enumName: 'HistoryRange', default: '7d' })
  @IsOptional()
  @IsIn(HISTORY_RANGES)
  range: HistoryRange = '7d';
}

/** The dashboard's history entry types. */
export type HistoryType =
  | 'workflow_started'
  | 'workflow_completed'
  | 'task_created'
  | 'task_completed'
  | 'task_failed'
  | 'agent_assigned';
