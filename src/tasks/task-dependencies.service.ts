import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BadRequestError, ConflictError, NotFoundError } from '../common/errors/app-errors.js';
import type { TaskDependenciesDto } from './dto/task-actions.dto.js';
import type { TaskEntity } from './entities/task.entity.js';
import type { TaskEffects } from './task-changes.service.js';
import {
  blockersOf,
  blockingOf,
  cycleIfAdded,
  graphOf,
  isReady,
  settledStatus,
} from './task-graph.js';
import { BLOCKING_STATUSES, type TaskStatus } from './task-state.js';
import { TasksRepository } from './tasks.repository.js';

/**
 * The dependency graph in the store: edges (with cycle checks), and the automatic
 * moves that follow a task's status (dependents blocked, released, announced ready).
 */
@Injectable()
export class TaskDependencies {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: TasksRepository,
  ) {}

  /** "Why is this blocked": upstream and downstream with their states. */
  async describe(taskId: string): Promise<TaskDependenciesDto> {
    const manager = this.dataSource.manager;
    const task = await this.repository.findById(taskId);
    if (!task) throw new NotFoundError('Task', taskId);
    const [upstream, downstream] = await Promise.all([
      this.repository.dependencyStates(manager, [taskId]).then((states) => states.get(taskId)!),
      this.repository.dependents(manager, taskId),
    ]);
    return {
      task_id: taskId,
      status: task.status,
      is_ready: isReady(task.status, upstream),
      blockers: blockersOf(upstream),
      blocked_by: blockingOf(upstream),
      upstream: upstream.map((dep) => ({ ...dep, satisfied: dep.status === 'completed' })),
      downstream,
    };
  }

  /** Checks that every id names a task (400 naming the unknown ones). */
  async assertDependenciesExist(manager: EntityManager, ids: string[]): Promise<void> {
    const existing = await this.repository.existingIds(manager, ids);
    const unknown = ids.filter((id) => !existing.has(id));
    if (unknown.length)
      throw new BadRequestError(
        `Unknown dependencies: ${unknown.join(', ')}`,
        unknown.map((id) => ({
          field: `dependencies.${ids.indexOf(id)}`,
          message: `task ${id} does not exist`,
        })),
      );
  }

  /**
   * Adds "task depends on dependency". The caller holds the graph lock (taken before
   * the task's row, so that concurrent edge changes queue instead of deadlocking) and
   * the task's row. Refuses the task
   * itself and any edge closing a cycle (409 naming it); blocks the task at once when
   * the dependency already failed or was cancelled.
   */
  async addEdge(
    manager: EntityManager,
    task: TaskEntity,
    dependencyId: string,
    effects: TaskEffects,
  ): Promise<void> {
    if (task.status === 'in_progress' || task.status === 'completed')
      throw new ConflictError(
        `Cannot add a dependency to a task that is ${task.status}; it has already started`,
        { current_status: task.status },
      );
    if (dependencyId === task.id)
      throw new ConflictError('A task cannot depend on itself', { cycle: [task.id, task.id] });
    const dependency = await this.repository.lockShared(manager, dependencyId);
    if (!dependency)
      throw new BadRequestError(`Dependency task ${dependencyId} not found`, [
        { field: 'dependency_id', message: 'no such task' },
      ]);
    const cycle = cycleIfAdded(
      graphOf(await this.repository.reachableEdges(manager, dependencyId)),
      task.id,
      dependencyId,
    );
    if (cycle)
      throw new ConflictError(`This dependency would close a cycle: ${cycle.join(' -> ')}`, {
        cycle,
      });
    await this.repository.insertEdges(manager, task.id, [dependencyId]);
    await this.settle(manager, [task], effects);
    effects.updated.add(task.id);
  }

  /** Removes an edge (task locked by the caller); the task may be released or become ready. */
  async removeEdge(
    manager: EntityManager,
    task: TaskEntity,
    dependencyId: string,
    effects: TaskEffects,
  ): Promise<boolean> {
    const before = (await this.repository.dependencyStates(manager, [task.id])).get(task.id)!;
    const removed = await this.repository.deleteEdge(manager, task.id, dependencyId);
    if (!removed) return false;
    await this.settle(manager, [task], effects, { announceReady: !isReady(task.status, before) });
    effects.updated.add(task.id);
    return true;
  }

  /**
   * The automatic moves after `task` changed status: a failed or cancelled task blocks
   * its pending dependents, a retried one releases them, a completed one makes ready
   * the dependents whose dependencies are now all completed.
   */
  async cascade(
    manager: EntityManager,
    task: TaskEntity,
    previous: TaskStatus,
    effects: TaskEffects,
  ): Promise<void> {
    const completed = task.status === 'completed';
    const dependents = await this.repository.dependentsWithStates(manager, task.id, completed);
    if (!dependents.length) return;
    const becameBlocking = BLOCKING_STATUSES.includes(task.status);
    const wasBlocking = BLOCKING_STATUSES.includes(previous);
    if (becameBlocking || wasBlocking) {
      const affected = dependents.filter((dep) =>
        becameBlocking ? dep.status === 'pending' : dep.status === 'blocked',
      );
      await this.settle(
        manager,
        await this.repository.lockMany(
          manager,
          affected.map((dep) => dep.id),
        ),
        effects,
      );
    } else if (completed) {
      for (const dep of dependents)
        if (dep.dependencies && isReady(dep.status, dep.dependencies)) effects.ready.add(dep.id);
    }
  }

  /**
   * Applies the automatic moves to locked tasks given their dependencies now, saving
   * what changed. With `announceReady`, a task left pending and ready is announced.
   */
  async settle(
    manager: EntityManager,
    tasks: TaskEntity[],
    effects: TaskEffects,
    options: { announceReady?: boolean } = {},
  ): Promise<void> {
    const states = await this.repository.dependencyStates(
      manager,
      tasks.map((task) => task.id),
    );
    for (const task of tasks) {
      const dependencies = states.get(task.id)!;
      const next = settledStatus(task.status, dependencies);
      if (next !== task.status) {
        effects.status(task.id, task.status);
        task.status = next;
        await manager.save(task);
      }
      if (next === 'blocked') effects.blocked.set(task.id, blockingOf(dependencies));
      if (options.announceReady && isReady(next, dependencies)) effects.ready.add(task.id);
    }
  }
}
