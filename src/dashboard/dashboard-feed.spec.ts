import { describe, expect, it } from 'vitest';
import { dashboardTask, recentTaskRow, toFeedEvents } from './dashboard-feed.js';
import type { EventEnvelope } from '../realtime/event-envelope.js';

const task = (overrides: Record<string, unknown> = {}) => ({
  id: 't1',
  title: 'Ship',
  description: null,
  status: 'in_progress',
  priority: 'critical',
  tags: [],
  dependencies: [],
  assigned_agent: { id: 'a1', name: 'Ada' },
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: new Date().toISOString(),
  due_date: null,
  progress: { percentage: 40 },
  time_tracking: {
    estimated_duration_minutes: 90,
    actual_duration_minutes: null,
    started_at: '2026-01-01T00:00:00.000Z',
    completed_at: null,
  },
  ...overrides,
});

const envelope = (data: Record<string, unknown>): EventEnvelope => ({
  id: '1',
  type: 'task_update',
  rooms: ['tasks'],
  data,
  timestamp: new Date().toISOString(),
});

describe('dashboard feed mapping', () => {
  it('shows a task in progress with its progress as actualTime, in minutes', () => {
    expect(dashboardTask(task())).toMatchObject({
      status: 'in_progress',
      priority: 'high',
      description: '',
      estimatedTime: 90,
      actualTime: 36,
      agent: 'Ada',
      assignee: 'Ada',
    });
    // Finished: the time it took.
    const done = task({
      status: 'completed',
      time_tracking: {
        estimated_duration_minutes: 90,
        actual_duration_minutes: 61.6,
        started_at: '2026-01-01T00:00:00.000Z',
        completed_at: '2026-01-01T00:00:02.540Z',
      },
    });
    expect(dashboardTask(done)).toMatchObject({ status: 'done', actualTime: 62 });
    expect(recentTaskRow(done)).toMatchObject({ status: 'completed', duration: 2.5 });
  });

  it('one task_update carries the board card and the flat home row; deletes the last row', () => {
    const [created] = toFeedEvents(envelope({ event: 'created', task: task() }));
    expect(created.key).toBe('task:t1');
    expect(created.payload).toMatchObject({
      action: 'create',
      taskId: 't1',
      id: 't1',
      status: 'in_progress',
      agent: 'Ada',
      task: { id: 't1', status: 'in_progress' },
    });
    const [deleted] = toFeedEvents(envelope({ event: 'deleted', task_id: 't1', task: task() }));
    expect(deleted.payload).toMatchObject({ action: 'delete', taskId: 't1', title: 'Ship' });
    expect(deleted.payload).not.toHaveProperty('task');
  });
});

describe('dashboard feed: system_alert', () => {
  const notification = (rooms: string[]): EventEnvelope => ({
    id: '1',
    type: 'system_notification',
    rooms,
    data: { event: 'notification', message: 'hello' },
    timestamp: '2026-01-01T00:00:00.000Z',
  });

  it('turns only notifications meant for everyone into system_alert', () => {
    expect(toFeedEvents(notification(['system']))).toEqual([
      expect.objectContaining({
        event: 'system_alert',
        payload: expect.objectContaining({ message: 'hello' }),
      }),
    ]);
    for (const room of ['admin', 'room:ops', 'user:11111111-1111-4111-8111-111111111111'])
      expect(toFeedEvents(notification([room]))).toEqual([]);
  });
});
