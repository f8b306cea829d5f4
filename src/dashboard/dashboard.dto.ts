import { EnumField } from '../common/validation/fields.js';

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
  @EnumField(DASHBOARD_RANGES, 'DashboardRange', { optional: true, doc: { default: '7d' } })
  range: DashboardRange = '7d';
}

export class HistoryRangeQuery {
  @EnumField(HISTORY_RANGES, 'HistoryRange', { optional: true, doc: { default: '7d' } })
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
