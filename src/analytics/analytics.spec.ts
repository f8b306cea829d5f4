import { describe, expect, it } from 'vitest';
import { timeWindow } from '../common/time-range.js';
import {
  peakHours,
  toAgentAnalytics,
  toJobAnalytics,
  toUsagePatterns,
  toWorkItemAnalytics,
  utilisation,
  type WorkItemSummaryRow,
} from './analytics.js';

const now = new Date('2026-03-10T14:30:00.000Z');
const none: WorkItemSummaryRow = {
  created: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  timed: 0,
  avg_ms: null,
  p50_ms: null,
  p95_ms: null,
  min_ms: null,
  max_ms: null,
};

describe('analytics assembly', () => {
  it('nothing stored: zeros and empty lists, a full timeline of zeros', () => {
    const window = timeWindow('24h', now);
    const tasks = toWorkItemAnalytics(window, none, []);
    expect(tasks).toMatchObject({
      created: 0,
      completed: 0,
      success_rate: 0,
      throughput_per_hour: 0,
      duration_ms: { count: 0, avg: 0, p50: 0, p95: 0, min: 0, max: 0 },
    });
    expect(tasks.timeline).toHaveLength(24);
    expect(tasks.timeline.every((p) => p.created === 0 && p.success_rate === 0)).toBe(true);
    const agents = toAgentAnalytics(
      [],
      { agents: 0, active: 0, busy_ms: null, capacity_ms: null },
      [],
    );
    expect(agents).toMatchObject({ total: 0, utilisation_percent: 0, top_agents: [] });
    expect(toJobAnalytics(0, [])).toEqual({
      submitted: 0,
      finished: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      success_rate: 0,
      avg_duration_ms: 0,
      by_type: [],
    });
    const usage = toUsagePatterns([]);
    expect(usage.by_hour_of_day).toHaveLength(24);
    expect(usage.peak_hours).toEqual({ api_requests: [], tasks_created: [], tasks_completed: [] });
  });

  it('places buckets, rates each, and divides throughput by the covered hours', () => {
    const window = timeWindow('1h', now);
    const bucket = window.bucketStarts[10].getTime();
    const tasks = toWorkItemAnalytics(
      window,
      { ...none, created: 5, succeeded: 3, failed: 1, timed: 3, avg_ms: 1000, p50_ms: 900 },
      [
        {
          bucket: String(bucket) as unknown as number,
          created: 2,
          succeeded: 3,
          failed: 1,
          cancelled: 0,
        },
      ],
    );
    expect(tasks.timeline[10]).toEqual({
      timestamp: window.bucketStarts[10].toISOString(),
      created: 2,
      completed: 3,
      failed: 1,
      cancelled: 0,
      success_rate: 75,
    });
    expect(tasks.success_rate).toBe(75);
    // The 1h window starts at the first whole minute: 59 minutes (14:30 - 13:31) here.
    expect(tasks.throughput_per_hour).toBe(Math.round((3 / (59 / 60)) * 100) / 100);
    expect(tasks.duration_ms).toMatchObject({ count: 3, avg: 1000, p50: 900 });
  });

  it('utilisation never exceeds 100 %', () => {
    expect(utilisation(50, 200)).toBe(25);
    expect(utilisation(300, 200)).toBe(100);
    expect(utilisation(10, 0)).toBe(0);
  });

  it('job totals come from the all-types row; types sorted by volume', () => {
    const jobs = toJobAnalytics(7, [
      { task_name: 'b', finished: 1, completed: 0, failed: 1, cancelled: 0, avg_ms: null },
      { task_name: 'a', finished: 3, completed: 2, failed: 0, cancelled: 1, avg_ms: 40 },
      { task_name: null, finished: 4, completed: 2, failed: 1, cancelled: 1, avg_ms: 40 },
    ]);
    expect(jobs).toMatchObject({ submitted: 7, finished: 4, success_rate: 66.67 });
    expect(jobs.by_type.map((t) => t.task_name)).toEqual(['a', 'b']);
    expect(jobs.by_type[1]).toMatchObject({ success_rate: 0, avg_duration_ms: 0 });
  });

  it('peak hours: the busiest non-empty hours per measure, earlier first on ties', () => {
    const usage = toUsagePatterns([
      { hour: 9, tasks_created: 2, tasks_completed: 0 },
      { hour: 14, tasks_created: 2, tasks_completed: 1 },
      { hour: 14, api_requests: 30 },
      { hour: 3, api_requests: 30 },
      { hour: 22, api_requests: 5 },
      { hour: 23, api_requests: 1 },
    ]);
    expect(usage.by_hour_of_day[14]).toEqual({
      hour: 14,
      api_requests: 30,
      tasks_created: 2,
      tasks_completed: 1,
    });
    expect(usage.peak_hours.api_requests).toEqual([
      { hour: '03:00', count: 30 },
      { hour: '14:00', count: 30 },
      { hour: '22:00', count: 5 },
    ]);
    expect(usage.peak_hours.tasks_created.map((p) => p.hour)).toEqual(['09:00', '14:00']);
    expect(peakHours(usage.by_hour_of_day, 'tasks_completed', 1)).toEqual([
      { hour: '14:00', count: 1 },
    ]);
  });
});
