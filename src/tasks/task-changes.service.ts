import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AgentsService, type AgentWorkloadChange } from '../agents/agents.service.js';
import {
  Subscribers,
  SUBSCRIBERS_SHUTDOWN_RESERVE_MS,
  SUBSCRIBERS_SHUTDOWN_WAIT_MS,
} from '../common/subscribers.js';
import { InjectRuntime, type Runtime, shutdownWaitMs } from '../config/config.module.js';
import type { DomainEventMap } from '../realtime/domain-events.js';
import { EventBus } from '../realtime/event-bus.service.js';
import type { TaskEntity } from './entities/task.entity.js';
import type { TaskChangeSource, TaskStatus, TaskStatusChange } from './task-state.js';
import { type TaskSnapshot, toTaskResponse } from './task.mapper.js';
import { TasksRepository } from './tasks.repository.js';

type TaskEventName = Extract<keyof DomainEventMap, `task.${string}`>;
type TaskEvent = { [K in TaskEventName]: [K, DomainEventMap[K]] }[TaskEventName];

/** A created task as written, with its row version then. */
interface WrittenSnapshot {
  snapshot: TaskSnapshot;
  version: string;
}

/**
 * What a write did, collected inside its transaction and announced after it commits
 * (events carry the state as committed, never a rolled-back one).
 */
export class TaskEffects {
  readonly created = new Set<string>();
  /** Created tasks as their insert answered them (a run's steps), by id. */
  private readonly asWritten = new Map<string, WrittenSnapshot>();
  /** Dependency edges written along with created tasks. */
  createdEdges = 0;
  readonly updated = new Set<string>();
  /** Task id → its status before the write (the first one seen). */
  readonly statusChanges = new Map<string, TaskStatus>();
  readonly progress = new Map<string, string | null>();
  readonly assigned = new Set<string>();
  readonly ready = new Set<string>();
  /** Task id → the failed or cancelled dependencies that block it. */
  readonly blocked = new Map<string, string[]>();
  readonly deleted: DomainEventMap['task.deleted'][] = [];
  readonly agents = new Map<string, AgentWorkloadChange>();

  constructor(readonly source: TaskChangeSource = 'client') {}

  status(taskId: string, previous: TaskStatus): void {
    if (!this.statusChanges.has(taskId)) this.statusChanges.set(taskId, previous);
  }

  agent({ agent, previousStatus }: AgentWorkloadChange): void {
    const known = this.agents.get(agent.id);
    this.agents.set(agent.id, { agent, previousStatus: known?.previousStatus ?? previousStatus });
  }

  /** A task created by this write, as its insert answered it. */
  written(snapshot: TaskSnapshot, version: string): void {
    this.created.add(snapshot.task.id);
    this.asWritten.set(snapshot.task.id, { snapshot, version });
  }

  /**
   * Every task whose representation an event will carry: those known as written (created
   * here and not changed after in this write) and those to read back.
   */
  touched(): { written: WrittenSnapshot[]; unread: string[] } {
    const changed = new Set([
      ...this.updated,
      ...this.statusChanges.keys(),
      ...this.progress.keys(),
      ...this.assigned,
      ...this.ready,
      ...this.blocked.keys(),
    ]);
    const written: WrittenSnapshot[] = [];
    const unread = new Set(changed);
    for (const id of this.created) {
      const known = this.asWritten.get(id);
      if (known && !changed.has(id)) written.push(known);
      else unread.add(id);
    }
    return { written, unread: [...unread] };
  }
}

/**
 * The one way a task change runs: a transaction collecting its effects → commit →
 * its events announced (with the tasks as committed) → subscribers told of the status
 * changes once those events are stored.
 */
@Injectable()
export class TaskChanges implements BeforeApplicationShutdown {
  /**
   * In-process subscribers to committed status changes (the orchestrator), told after
   * the change's events are in the event history, so that what they cause comes after
   * them. They hear every change; `source` says who made it.
   */
  readonly subscribers = new Subscribers<[changes: TaskStatusChange[], stored: Promise<void>]>(
    'TaskChanges',
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: TasksRepository,
    private readonly events: EventBus,
    private readonly agents: AgentsService,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  /** Runs `work` in a transaction, then announces what it did once it committed. */
  async run<T>(
    work: (manager: EntityManager, effects: TaskEffects) => Promise<T>,
    source: TaskChangeSource = 'client',
  ): Promise<T> {
    const effects = new TaskEffects(source);
    const result = await this.dataSource.transaction((manager) => work(manager, effects));
    await this.announce(effects);
    return result;
  }

  /**
   * Publishes the events of a committed write, with the tasks as they are now, in
   * one batch (a run's dispatch may announce dozens of tasks at once), then tells the
   * subscribers. Called by `run`, or by a caller that owns the transaction, after commit.
   */
  async announce(effects: TaskEffects): Promise<void> {
    const { written, unread } = effects.touched();
    if (!written.length && !unread.length && !effects.deleted.length && !effects.agents.size)
      return;
    // A bulk creation (a run's steps) may leave the planner with a picture of nearly empty tables.
    const statistics = this.repository.refreshStatistics({
      tasks: effects.created.size,
      edges: effects.createdEdges,
    });
    // Created tasks are announced as written (no read-back of a run's thousand steps)
    // unless another writer (a dispatch) has changed them since the commit.
    const [moved, read] = await Promise.all([
      this.repository.changedSince(
        written.map(({ snapshot, version }) => ({ id: snapshot.task.id, version })),
      ),
      this.repository.findSnapshots(unread),
    ]);
    const snapshots = [
      ...written
        .filter(({ snapshot }) => !moved.has(snapshot.task.id))
        .map(({ snapshot }) => snapshot),
      ...read,
      ...(await this.repository.findSnapshots([...moved])),
    ];
    const entities = snapshots.map((snapshot) => snapshot.task);
    const events = eventsOf(effects, entities, snapshots);
    const changes = changesOf(effects, entities);
    if (changes.length) {
      // Subscribers react at once (a step completed: dispatch its dependents), but only
      // once these events are stored, so that what they cause comes after them.
      const { stored } = await this.events.publishAllTracked(events);
      this.subscribers.notify(changes, stored);
    } else if (events.length) await this.events.publishAll(events);
    if (effects.agents.size) await this.agents.announceWorkloads([...effects.agents.values()]);
    await statistics;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscribers.settled(
      shutdownWaitMs(this.runtime, SUBSCRIBERS_SHUTDOWN_WAIT_MS, SUBSCRIBERS_SHUTDOWN_RESERVE_MS),
    );
  }
}

function eventsOf(
  effects: TaskEffects,
  entities: TaskEntity[],
  snapshots: TaskSnapshot[],
): TaskEvent[] {
  const stepKeys = new Map(entities.map((task) => [task.id, task.stepKey]));
  const views = new Map<string, ReturnType<typeof toTaskResponse>>(
    snapshots.map((snapshot) => [snapshot.task.id, { ...toTaskResponse(snapshot) }]),
  );
  const statusOf = (id: string) => views.get(id)?.status;
  const announced = new Set<string>();
  const events: TaskEvent[] = [];
  for (const id of effects.created) {
    const task = views.get(id);
    if (task) events.push(['task.created', { task }]);
    announced.add(id);
  }
  for (const [id, previous] of effects.statusChanges) {
    const task = views.get(id);
    if (!task || announced.has(id) || statusOf(id) === previous) continue;
    events.push(['task.status_changed', { task, previous_status: previous }]);
    announced.add(id);
  }
  for (const [id, blockedBy] of effects.blocked) {
    const task = views.get(id);
    if (task && statusOf(id) === 'blocked')
      events.push(['task.blocked', { task, blocked_by: blockedBy }]);
  }
  for (const [id, message] of effects.progress) {
    const task = views.get(id);
    if (task && !announced.has(id)) events.push(['task.progress', { task, message }]);
    announced.add(id);
  }
  for (const id of effects.assigned) {
    const task = views.get(id);
    if (!task?.assigned_agent) continue;
    events.push([
      'task.assigned',
      {
        task,
        run_id: task.run_id ?? null,
        step_key: stepKeys.get(id) ?? null,
        attempt: task.attempt,
      },
    ]);
    announced.add(id);
  }
  for (const id of effects.updated) {
    const task = views.get(id);
    if (task && !announced.has(id)) events.push(['task.updated', { task }]);
  }
  for (const id of effects.ready) {
    const task = views.get(id);
    if (task && statusOf(id) === 'pending') events.push(['task.ready', { task }]);
  }
  for (const deleted of effects.deleted) events.push(['task.deleted', deleted]);
  return events;
}

function changesOf(effects: TaskEffects, entities: TaskEntity[]): TaskStatusChange[] {
  const byId = new Map(entities.map((task) => [task.id, task]));
  const changes: TaskStatusChange[] = [];
  for (const [id, previous] of effects.statusChanges) {
    const task = byId.get(id);
    if (!task || task.status === previous) continue;
    changes.push({
      taskId: id,
      runId: task.runId,
      stepKey: task.stepKey,
      status: task.status,
      previous,
      agentId: task.assignedAgentId,
      source: effects.source,
    });
  }
  return changes;
}
