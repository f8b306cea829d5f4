import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { AgentsService } from '../agents/agents.service.js';
import type { Runtime } from '../config/config.module.js';
import type { DomainEventTuple, EventBus } from '../realtime/event-bus.service.js';
import { TaskEntity } from './entities/task.entity.js';
import { TaskChanges, TaskEffects } from './task-changes.service.js';
import type { TaskSnapshot } from './task.mapper.js';
import type { TasksRepository } from './tasks.repository.js';

const snapshot = (id: string, status: TaskEntity['status']): TaskSnapshot => ({
  task: Object.assign(new TaskEntity(), { id, title: id, status, tags: [], metadata: {} }),
  agentName: null,
  links: { dependencies: [], dependents: [] },
});

describe('TaskChanges', () => {
  it('announces created tasks as written, and reads back those another writer changed since', async () => {
    const published: DomainEventTuple[] = [];
    const reads: string[][] = [];
    const repository = {
      refreshStatistics: async () => undefined,
      // Between the commit and the announcement, a dispatch started task b.
      changedSince: async () => new Set(['b']),
      findSnapshots: async (ids: string[]) => {
        reads.push(ids);
        return ids.map((id) => snapshot(id, 'in_progress'));
      },
    } as unknown as TasksRepository;
    const events = {
      publishAll: async (batch: DomainEventTuple[]) => void published.push(...batch),
    } as unknown as EventBus;
    const changes = new TaskChanges(
      {} as DataSource,
      repository,
      events,
      {} as AgentsService,
      {} as Runtime,
    );
    const effects = new TaskEffects('orchestration');
    effects.written(snapshot('a', 'pending'), '100');
    effects.written(snapshot('b', 'pending'), '100');
    await changes.announce(effects);
    expect(reads.filter((ids) => ids.length)).toEqual([['b']]);
    expect(
      published.map(([name, payload]) => [
        name,
        (payload as { task: { id: string; status: string } }).task,
      ]),
    ).toEqual([
      ['task.created', expect.objectContaining({ id: 'a', status: 'pending' })],
      ['task.created', expect.objectContaining({ id: 'b', status: 'in_progress' })],
    ]);
  });
});
