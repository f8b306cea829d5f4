import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FeedEvent, TaskAction, TaskUpdatePayload } from './dashboard-feed.js';
import { FeedPacer } from './feed-pacer.js';

function taskEvent(id: string, action: TaskAction, title = id): FeedEvent {
  const payload = {
    action,
    taskId: id,
    id,
    title,
    agent: 'Unassigned',
    status: 'pending',
    priority: 'medium',
    timestamp: 'just now',
  } satisfies TaskUpdatePayload;
  return { event: 'task_update', key: `task:${id}`, payload };
}

function overview(total: number): FeedEvent {
  return {
    event: 'dashboard_update',
    key: 'dashboard_update',
    payload: {
      agents: { total, active: 0, idle: 0, error: 0 },
      tasks: { completed: 0, pending: 0, failed: 0, total: 0 },
      system: { uptime: 1, cpu: 1, memory: 1, connections: 1 },
    },
  };
}

describe('FeedPacer', () => {
  let sent: { event: string; payload: any; at: number }[];
  let overflows: number;
  let pacer: FeedPacer;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    sent = [];
    overflows = 0;
    pacer = new FeedPacer({
      send: (event, payload) => sent.push({ event, payload, at: Date.now() }),
      onOverflow: () => overflows++,
      maxQueued: 5,
    });
  });

  afterEach(() => {
    pacer.close();
    vi.useRealTimers();
  });

  it('sends the first event at the end of the turn and the next ones 50 ms apart, in order', async () => {
    pacer.push(taskEvent('a', 'create'));
    pacer.push(taskEvent('b', 'create'));
    pacer.push(taskEvent('c', 'create'));
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.payload.taskId)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(49);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((s) => s.payload.taskId)).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(50);
    expect(sent.map((s) => s.payload.taskId)).toEqual(['a', 'b', 'c']);
    expect(sent.map((s) => s.at - sent[0].at)).toEqual([0, 50, 100]);
  });

  it('coalesces what arrives in the same turn, even with nothing waiting', async () => {
    pacer.push(taskEvent('a', 'create', 'created'));
    pacer.push(taskEvent('a', 'update', 'assigned'));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.map((s) => [s.payload.action, s.payload.title])).toEqual([['create', 'assigned']]);
  });

  it('waits out the spacing after a lone event', async () => {
    pacer.push(taskEvent('a', 'update'));
    await vi.advanceTimersByTimeAsync(20);
    pacer.push(taskEvent('b', 'update'));
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    pacer.push(taskEvent('c', 'update'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(3);
  });

  it('coalesces updates of one entity into the newest, keeping its place', async () => {
    pacer.push(taskEvent('x', 'update', 'first'));
    await vi.advanceTimersByTimeAsync(0);
    pacer.push(taskEvent('a', 'update', 'a1'));
    pacer.push(taskEvent('b', 'update', 'b1'));
    pacer.push(taskEvent('a', 'update', 'a2'));
    pacer.push(taskEvent('a', 'update', 'a3'));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.map((s) => s.payload.title)).toEqual(['first', 'a3', 'b1']);
  });

  it('a create followed by updates stays one create with the newest state', async () => {
    pacer.push(taskEvent('x', 'update'));
    await vi.advanceTimersByTimeAsync(0);
    pacer.push(taskEvent('a', 'create', 'new'));
    pacer.push(taskEvent('a', 'update', 'renamed'));
    pacer.push(taskEvent('a', 'update', 'renamed again'));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.slice(1).map((s) => [s.payload.action, s.payload.title])).toEqual([
      ['create', 'renamed again'],
    ]);
  });

  it('anything followed by a delete is the delete', async () => {
    pacer.push(taskEvent('x', 'update'));
    await vi.advanceTimersByTimeAsync(0);
    pacer.push(taskEvent('a', 'create'));
    pacer.push(taskEvent('a', 'delete'));
    pacer.push(taskEvent('b', 'update'));
    pacer.push(taskEvent('b', 'delete'));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.slice(1).map((s) => [s.payload.taskId, s.payload.action])).toEqual([
      ['a', 'delete'],
      ['b', 'delete'],
    ]);
  });

  it('keeps only the latest dashboard_update, and agents apart from tasks', async () => {
    pacer.push(taskEvent('x', 'update'));
    await vi.advanceTimersByTimeAsync(0);
    pacer.push(overview(1));
    pacer.push({
      event: 'agent_status_update',
      key: 'agent:a',
      payload: { agentId: 'a', id: 'a', deleted: true },
    });
    pacer.push(overview(2));
    pacer.push(taskEvent('a', 'update'));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.map((s) => s.event)).toEqual([
      'task_update',
      'dashboard_update',
      'agent_status_update',
      'task_update',
    ]);
    expect(sent[1].payload.agents.total).toBe(2);
  });

  it('beyond the bound, drops the queue and asks for one full dashboard_update', async () => {
    pacer.push(taskEvent('first', 'update'));
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 5; i++) pacer.push(taskEvent(`t${i}`, 'update'));
    expect(pacer.queued).toBe(5);
    expect(overflows).toBe(0);
    pacer.push(taskEvent('t5', 'update'));
    expect(overflows).toBe(1);
    expect(pacer.queued).toBe(0);
    pacer.push(overview(9));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.map((s) => s.event)).toEqual(['task_update', 'dashboard_update']);
    // Updates of queued entities never count twice against the bound.
    for (let i = 0; i < 20; i++) pacer.push(taskEvent('same', 'update'));
    expect(overflows).toBe(1);
  });

  it('sends nothing after close', async () => {
    pacer.push(taskEvent('a', 'update'));
    await vi.advanceTimersByTimeAsync(0);
    pacer.push(taskEvent('b', 'update'));
    pacer.close();
    pacer.push(taskEvent('c', 'update'));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toHaveLength(1);
  });
});
