import { AGENT_STATUSES } from '../agents/agent-status.js';
import { rate } from '../common/resources.js';
import type {
  AgentAnalyticsDto,
  ApiUsageDto,
  AnalyticsDurationFiguresDto,
  HourActivityDto,
  JobAnalyticsDto,
  JobTypeAnalyticsDto,
  PeakHourDto,
  UsagePatternsDto,
  WorkItemAnalyticsDto,
} from './dto/analytics.dto.js';
import type { ApiTotalsDto, RouteFiguresDto } from '../telemetry/dto/api-metrics.dto.js';
import { round } from '../common/resources.js';
import { fillBuckets, type TimeWindow } from '../common/time-range.js';
import { countsBy, type CountRow } from '../telemetry/workload/workload.js';

/** Aggregates of one kind of work item over a range (SQL rows: numbers may come as strings). */
export interface WorkItemSummaryRow {
  created: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Completed items with both a start and an end. */
  timed: number;
  avg_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  min_ms: number | null;
  max_ms: number | null;
}

export interface WorkItemBucketRow {
  /** Bucket start, ms since epoch. */
  bucket: number;
  created: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface AgentTotalsRow {
  agents: number;
  active: number;
  busy_ms: number | null;
  capacity_ms: number | null;
}

export interface AgentActivityRow {
  id: string;
  name: string;
  agent_type: string;
  status: string;
  completed: number;
  failed: number;
  avg_ms: number | null;
  busy_ms: number;
  capacity_ms: number;
}

/** Per job type, plus one row with a null task_name for all types together. */
export interface JobTypeRow {
  task_name: string | null;
  finished: number;
  completed: number;
  failed: number;
  cancelled: number;
  avg_ms: number | null;
}

export interface HourCountsRow {
  hour: number;
  tasks_created?: number;
  tasks_completed?: number;
  api_requests?: number;
}

const HOUR_MS = 3_600_000;
const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? 0 : round(Number(value));
const int = (value: number | string | null | undefined) => Number(value ?? 0);

/** Busy time against capacity, in % and never above 100 (an agent may run more than its capacity). */
export function utilisation(busyMs: number, capacityMs: number): number {
  return Math.min(100, rate(busyMs, capacityMs));
}

export function durations(summary: WorkItemSummaryRow): AnalyticsDurationFiguresDto {
  return {
    count: int(summary.timed),
    avg: ms(summary.avg_ms),
    p50: ms(summary.p50_ms),
    p95: ms(summary.p95_ms),
    min: ms(summary.min_ms),
    max: ms(summary.max_ms),
  };
}

export function toWorkItemAnalytics(
  window: TimeWindow,
  summary: WorkItemSummaryRow,
  buckets: WorkItemBucketRow[],
): WorkItemAnalyticsDto {
  const completed = int(summary.succeeded);
  const failed = int(summary.failed);
  const hours = (window.until.getTime() - window.since.getTime()) / HOUR_MS;
  const points = new Map(
    buckets.map((row) => {
      const done = int(row.succeeded);
      const lost = int(row.failed);
      return [
        Number(row.bucket),
        {
          created: int(row.created),
          completed: done,
          failed: lost,
          cancelled: int(row.cancelled),
          success_rate: rate(done, done + lost),
        },
      ];
    }),
  );
  return {
    created: int(summary.created),
    completed,
    failed,
    cancelled: int(summary.cancelled),
    success_rate: rate(completed, completed + failed),
    throughput_per_hour: hours > 0 ? round(completed / hours) : 0,
    duration_ms: durations(summary),
    timeline: fillBuckets(window, points, () => ({
      created: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      success_rate: 0,
    })),
  };
}

export function toAgentAnalytics(
  statuses: CountRow[],
  totals: AgentTotalsRow,
  top: AgentActivityRow[],
): AgentAnalyticsDto {
  const byStatus = countsBy(AGENT_STATUSES, statuses);
  const busy = Number(totals.busy_ms ?? 0);
  const capacity = Number(totals.capacity_ms ?? 0);
  return {
    total: Object.values(byStatus).reduce((sum, count) => sum + count, 0),
    by_status: byStatus,
    active_in_range: int(totals.active),
    busy_ms: Math.round(busy),
    capacity_ms: Math.round(capacity),
    utilisation_percent: utilisation(busy, capacity),
    top_agents: top.map((row) => ({
      id: row.id,
      name: row.name,
      agent_type: row.agent_type,
      status: row.status,
      tasks_completed: int(row.completed),
      tasks_failed: int(row.failed),
      success_rate: rate(int(row.completed), int(row.completed) + int(row.failed)),
      avg_duration_ms: ms(row.avg_ms),
      busy_ms: Math.round(Number(row.busy_ms)),
      utilisation_percent: utilisation(Number(row.busy_ms), Number(row.capacity_ms)),
    })),
  };
}

function jobFigures(row: JobTypeRow | undefined): Omit<JobTypeAnalyticsDto, 'task_name'> {
  const completed = int(row?.completed);
  const failed = int(row?.failed);
  return {
    finished: int(row?.finished),
    completed,
    failed,
    cancelled: int(row?.cancelled),
    success_rate: rate(completed, completed + failed),
    avg_duration_ms: ms(row?.avg_ms),
  };
}

export function toJobAnalytics(submitted: number, rows: JobTypeRow[]): JobAnalyticsDto {
  const all = rows.find((row) => row.task_name === null);
  return {
    submitted: int(submitted),
    ...jobFigures(all),
    by_type: rows
      .filter((row): row is JobTypeRow & { task_name: string } => row.task_name !== null)
      .map((row) => ({ task_name: row.task_name, ...jobFigures(row) }))
      .sort((a, b) => b.finished - a.finished || a.task_name.localeCompare(b.task_name)),
  };
}

export const TOP_ROUTES = 20;

export function toApiUsage(totals: ApiTotalsDto, routes: RouteFiguresDto[]): ApiUsageDto {
  return {
    requests: totals.count,
    errors: totals.errors,
    error_rate: totals.error_rate,
    requests_per_minute: totals.requests_per_minute,
    avg_latency_ms: ms(totals.latency_ms.avg),
    p95_latency_ms: ms(totals.latency_ms.p95),
    routes: routes.slice(0, TOP_ROUTES).map((route) => ({
      method: route.method,
      route: route.route,
      count: route.count,
      errors: route.errors,
      error_rate: route.error_rate,
      avg_latency_ms: ms(route.latency_ms.avg),
      p95_latency_ms: ms(route.latency_ms.p95),
    })),
  };
}

type HourMeasure = 'api_requests' | 'tasks_created' | 'tasks_completed';

/** Up to `count` hours with the most of `measure` (none with zero; ties: the earlier hour). */
export function peakHours(
  hours: HourActivityDto[],
  measure: HourMeasure,
  count = 3,
): PeakHourDto[] {
  return hours
    .filter((hour) => hour[measure] > 0)
    .sort((a, b) => b[measure] - a[measure] || a.hour - b.hour)
    .slice(0, count)
    .map((hour) => ({ hour: `${String(hour.hour).padStart(2, '0')}:00`, count: hour[measure] }));
}

export function toUsagePatterns(rows: HourCountsRow[]): UsagePatternsDto {
  const byHour: HourActivityDto[] = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    api_requests: 0,
    tasks_created: 0,
    tasks_completed: 0,
  }));
  for (const row of rows) {
    const slot = byHour[Number(row.hour)];
    slot.api_requests += int(row.api_requests);
    slot.tasks_created += int(row.tasks_created);
    slot.tasks_completed += int(row.tasks_completed);
  }
  return {
    by_hour_of_day: byHour,
    peak_hours: {
      api_requests: peakHours(byHour, 'api_requests'),
      tasks_created: peakHours(byHour, 'tasks_created'),
      tasks_completed: peakHours(byHour, 'tasks_completed'),
    },
  };
}
