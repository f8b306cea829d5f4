import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service.js';
import { EventBus } from '../realtime/event-bus.service.js';
import type { TaskEntity } from './entities/task.entity.js';
import type { TaskEffects } from './task-effects.js';
import { TaskHooks, type TaskStatusChange } from './task-hooks.js';
import type { DomainEventMap } from '../realtime/domain-events.js';

type TaskEventName = Extract<keyof DomainEventMap, `task.${string}`>;
type TaskEvent = { [K in TaskEventName]: [K, DomainEventMap[K]] }[TaskEventName];
import { type TaskSnapshot, toTaskResponse } from './task.mapper.js';
import { TasksRepository } from './tasks.repository.js';

/** Tasks with their links and agent names; and the announcement of what a write did. */
@Injectable()
export class TaskViews {
  constructor(
    private readonly repository: TasksRepository,
    private readonly events: EventBus,
    private readonly agents: AgentsService,
    private readonly hooks: TaskHooks,
  ) {}

  async snapshots(tasks: TaskEntity[]): Promise<TaskSnapshot[]> {
    const agentIds = [
      ...new Set(tasks.map((task) => task.assignedAgentId).filter((id) => id !== null)),
    ];
    const [links, names] = await Promise.all([
      this.repository.links(tasks.map((task) => task.id)),
      this.repository.agentNames(agentIds),
    ]);
    return tasks.map((task) => ({
      task,
      agentName: task.assignedAgentId ? (names.get(task.assignedAgentId) ?? null) : null,
      links: links.get(task.id)!,
    }));
  }

  async snapshot(task: TaskEntity): Promise<TaskSnapshot> {
    return (await this.snapshots([task]))[0];
  }

  /**
   * Publishes the events of a committed write, with the tasks as they are now, in
   * one batch (a run's dispatch may announce dozens of tasks at once).
   */
  async announce(effects: TaskEffects): Promise<void> {
    const ids = effects.touched();
    const entities = await this.repository.findByIds(ids);
    const snapshots = await this.snapshots(entities);
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
    const changes = effects.hooks ? this.changesOf(effects, entities) : [];
    if (changes.length) {
      // Listeners react at once (a step completed: dispatch its dependents), but only
      // once these events are stored, so that what they cause comes after them in the
      // history.
      const { stored } = await this.events.publishAllTracked(events);
      this.hooks.statusChanged(changes, stored);
    } else if (events.length) await this.events.publishAll(events);
    if (effects.agents.size) await this.agents.announceWorkloads([...effects.agents.values()]);
  }

  private changesOf(effects: TaskEffects, entities: TaskEntity[]): TaskStatusChange[] {
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
      });
    }
    return changes;
  }
}
