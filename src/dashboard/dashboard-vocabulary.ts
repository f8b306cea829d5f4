/**
 * The existing SubForge dashboard's vocabulary (reference/dashboard-client.md), used
 * by its REST routes and by namespace / alike.
 */
export type DashboardAgentStatus = 'active' | 'busy' | 'idle' | 'error';
export type BoardStatus = 'todo' | 'in_progress' | 'review' | 'done';
export type RecentTaskStatus = 'pending' | 'in_progress' | 'completed' | 'failed';
export type DashboardPriority = 'low' | 'medium' | 'high';

const AGENT_STATUS: Record<string, DashboardAgentStatus> = {
  active: 'active',
  busy: 'busy',
  idle: 'idle',
  error: 'error',
  offline: 'error',
  inactive: 'idle',
  restarting: 'busy',
};

export function dashboardAgentStatus(status: string): DashboardAgentStatus {
  return AGENT_STATUS[status] ?? 'idle';
}

const BOARD_STATUS: Record<string, BoardStatus> = {
  pending: 'todo',
  blocked: 'todo',
  in_progress: 'in_progress',
  completed: 'done',
  failed: 'review',
  cancelled: 'review',
};

export function boardStatus(status: string): BoardStatus {
  return BOARD_STATUS[status] ?? 'todo';
}

const RECENT_STATUS: Record<string, RecentTaskStatus> = {
  pending: 'pending',
  blocked: 'pending',
  in_progress: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'failed',
};

export function recentTaskStatus(status: string): RecentTaskStatus {
  return RECENT_STATUS[status] ?? 'pending';
}

/** The board knows low, medium and high; critical shows as high. */
export function dashboardPriority(priority: string): DashboardPriority {
  return priority === 'critical'
    ? 'high'
    : priority === 'low' || priority === 'medium'
      ? priority
      : 'high';
}

/** "just now", "2 minutes ago", "3 hours ago", "5 days ago". */
export function relativeTime(date: Date | string | null | undefined, now = Date.now()): string {
  if (!date) return 'never';
  const seconds = Math.max(0, Math.round((now - new Date(date).getTime()) / 1000));
  if (seconds < 45) return 'just now';
  const units: [number, string][] = [
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [86400 * 30, 'month'],
    [86400 * 365, 'year'],
  ];
  let chosen = units[0];
  for (const unit of units) if (seconds >= unit[0]) chosen = unit;
  const count = Math.max(1, Math.round(seconds / chosen[0]));
  return `${count} ${chosen[1]}${count === 1 ? '' : 's'} ago`;
}
