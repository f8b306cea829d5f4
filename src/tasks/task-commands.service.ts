import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TaskEntity } from './entities/task.entity.js';
import { TaskChanges, TaskEffects } from './task-changes.service.js';
import { TaskMoves } from './task-moves.service.js';
import type { TaskChangeSource, TaskPriority, TaskStatus } from './task-state.js';
import { batchLinks } from './task-graph.js';
import { TasksRepository } from './tasks.repository.js';

/** A task as other modules see it inside a transaction: read-only. */
export interface TaskState {
  id: string;
  status: TaskStatus;
  attempt: number;
  error: string | null;
  assignedAgentId: string | null;
  startedAt: Date | null;
}

/** The state of a task as another system reports it (a SubForge step): written as given. */
export interface ImportedTaskState {
  status: TaskStatus;
  assignedAgentId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  error: string | null;
}

/** A task made for a step of a run: its id chosen by the caller, its dependencies by id. */
export interface NewTask extends Partial<ImportedTaskState> {
  id: string;
  title: string;
  description?: string | null;
  priority?: TaskPriority;
  taskType?: string | null;
  metadata?: Record<string, unknown>;
  estimatedDurationMinutes?: number | null;
  workflowId: string;
  runId: string;
  stepKey: string;
  /** Ids of tasks of the same batch, or existing ones. */
  dependsOn: string[];
}

const stateOf = (task: TaskEntity): TaskState => ({
  id: task.id,
  status: task.status,
  attempt: task.attempt,
  error: task.error,
  assignedAgentId: task.assignedAgentId,
  startedAt: task.startedAt,
});

/**
 * The tasks' commands inside one transaction, through the state machine and the
 * dependency graph. Announced after commit: by `TaskCommands.run`, or by `announce()`
 * when the caller owns the transaction.
 */
export class TaskTransaction {
  private readonly locked = new Map<string, TaskEntity>();

  constructor(
    readonly manager: EntityManager,
    private readonly effects: TaskEffects,
    private readonly moves: TaskMoves,
    private readonly repository: TasksRepository,
    private readonly changes: TaskChanges,
  ) {}

  /** Locks a task (404 if it does not exist) and tells its state. */
  async lock(taskId: string): Promise<TaskState> {
    const task = await this.moves.lockOrFail(this.manager, taskId);
    this.locked.set(taskId, task);
    return stateOf(task);
  }

  /** Locks a task unless another writer holds it now (then null). */
  async lockIfFree(taskId: string): Promise<TaskState | null> {
    const task = await this.repository.lockIfFree(this.manager, taskId);
    if (!task) return null;
    this.locked.set(taskId, task);
    return stateOf(task);
  }

  /** Starts ready tasks on their agents; returns those started (the others are left as they are). */
  async startMany(assignments: { taskId: string; agentId: string }[]): Promise<TaskState[]> {
    const started = await this.moves.startMany(this.manager, assignments, this.effects);
    for (const task of started) this.effects.assigned.add(task.id);
    return started.map(stateOf);
  }

  /** Each move returns the task's state after it. */
  complete(taskId: string): Promise<TaskState> {
    return this.move(taskId, 'complete', {});
  }

  fail(taskId: string, error: string): Promise<TaskState> {
    return this.move(taskId, 'fail', { error });
  }

  /** A step past its deadline: its attempt fails with `error`. */
  timeOut(taskId: string, error: string): Promise<TaskState> {
    return this.move(taskId, 'fail', { error });
  }

  cancel(taskId: string): Promise<TaskState> {
    return this.move(taskId, 'cancel', {});
  }

  retry(taskId: string): Promise<TaskState> {
    return this.move(taskId, 'retry', {});
  }

  /** New tasks for the steps of a run; the caller checked that their graph is acyclic. */
  async createMany(tasks: NewTask[]): Promise<void> {
    const written = await this.repository.insertMany(
      this.manager,
      tasks.map((task) => ({
        id: task.id,
        title: task.title,
        description: task.description ?? null,
        status: task.status ?? 'pending',
        priority: task.priority ?? 'medium',
        taskType: task.taskType ?? null,
        metadata: task.metadata ?? {},
        estimatedDurationMinutes: task.estimatedDurationMinutes ?? null,
        workflowId: task.workflowId,
        runId: task.runId,
        stepKey: task.stepKey,
        assignedAgentId: task.assignedAgentId ?? null,
        startedAt: task.startedAt ?? null,
        completedAt: task.completedAt ?? null,
        error: task.error ?? null,
      })),
    );
    const edges = tasks.flatMap((task) =>
      task.dependsOn.map((dependsOnId) => ({ taskId: task.id, dependsOnId })),
    );
    await this.repository.insertEdgePairs(this.manager, edges);
    const links = batchLinks(tasks);
    for (const { task, agentName, version } of written)
      this.effects.written({ task, agentName, links: links.get(task.id)! }, version);
    this.effects.createdEdges += edges.length;
  }

  /** States reported by another system, written as given (no state machine: they are facts). */
  async importStates(
    states: { taskId: string; previous: TaskStatus; state: ImportedTaskState }[],
  ): Promise<void> {
    for (const { taskId, previous, state } of states) {
      if (previous !== state.status) this.effects.status(taskId, previous);
      else this.effects.updated.add(taskId);
      await this.repository.writeState(this.manager, taskId, state);
    }
  }

  /** How many tasks changed status so far. */
  get statusChanges(): number {
    return this.effects.statusChanges.size;
  }

  /** After the caller's transaction committed: the events, then the subscribers. */
  announce(): Promise<void> {
    return this.changes.announce(this.effects);
  }

  private async move(
    taskId: string,
    action: 'complete' | 'fail' | 'cancel' | 'retry',
    body: { error?: string },
  ): Promise<TaskState> {
    const task = this.locked.get(taskId) ?? (await this.moves.lockOrFail(this.manager, taskId));
    this.locked.set(taskId, task);
    await this.moves.apply(this.manager, task, action, body, this.effects);
    return stateOf(task);
  }
}

/**
 * The tasks module's public API for modules building on tasks (the orchestrator, run
 * control, the SubForge import): they never touch its entities, effects or views.
 */
@Injectable()
export class TaskCommands {
  constructor(
    private readonly changes: TaskChanges,
    private readonly moves: TaskMoves,
    private readonly repository: TasksRepository,
  ) {}

  /** Transaction → commit → announce → subscribers told. */
  run<T>(work: (tx: TaskTransaction) => Promise<T>, source: TaskChangeSource): Promise<T> {
    return this.changes.run((manager, effects) => work(this.transaction(manager, effects)), source);
  }

  /** Commands inside the caller's transaction; call `announce()` once it committed. */
  within(manager: EntityManager, source: TaskChangeSource): TaskTransaction {
    return this.transaction(manager, new TaskEffects(source));
  }

  /** Tells subscribers of committed status changes (see `TaskChanges.subscribers`). */
  get subscribers(): TaskChanges['subscribers'] {
    return this.changes.subscribers;
  }

  private transaction(manager: EntityManager, effects: TaskEffects): TaskTransaction {
    return new TaskTransaction(manager, effects, this.moves, this.repository, this.changes);
  }
}
