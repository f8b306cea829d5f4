import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/principal.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooBusyError,
} from '../common/errors/app-errors.js';
import type { CompleteTaskDto, FailTaskDto, ProgressTaskDto } from './dto/task-actions.dto.js';
import type { TaskEntity } from './entities/task.entity.js';
import { Limiter } from '../common/limiter.js';
import { writeLocked } from '../database/write-locked.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { TaskChanges, type TaskEffects } from './task-changes.service.js';
import { blockersOf } from './task-graph.js';
import { TaskDependencies } from './task-dependencies.service.js';
import {
  actionForTarget,
  AGENT_ACTIONS,
  checkMove,
  type TaskAction,
  type TaskStatus,
} from './task-state.js';
import { TasksRepository } from './tasks.repository.js';

/** The body of an action: whatever its DTO carries. */
export type ActionBody = Partial<CompleteTaskDto & FailTaskDto>;

/** How long a task change waits for its turn before a 503 (as long as for a connection). */
const REPORT_WAIT_MS = 3_000;

const minutesBetween = (from: Date | null, to: Date) =>
  from ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 60_000)) : null;

/**
 * The state machine applied: start, complete, fail, cancel, retry and progress, for
 * REST (v1 and v2), bulk operations, agents' socket reports and the orchestrator
 * alike. Each runs in a transaction holding the task's row (`TaskChanges`).
 */
@Injectable()
export class TaskMoves {
  constructor(
    private readonly repository: TasksRepository,
    private readonly graph: TaskDependencies,
    private readonly agents: AgentsService,
    private readonly changes: TaskChanges,
    @InjectConfig() config: AppConfig,
  ) {
    this.reports = new Limiter(
      config.databasePoolSize,
      REPORT_WAIT_MS,
      () => new TooBusyError('Too many task changes at once; retry shortly'),
    );
  }

  /**
   * Actions and progress reports (v1 and v2) run at most a pool's worth at a time, each through
   * to its announcement. Otherwise a burst (a hundred agents finishing at once) has
   * every report's transaction queued for a connection ahead of the first ones'
   * post-commit reads, and all of them announce, and let dependents be dispatched,
   * only at the end of the burst.
   */
  private readonly reports: Limiter;

  async act(
    taskId: string,
    action: TaskAction,
    body: ActionBody = {},
    actor?: Principal,
  ): Promise<TaskEntity> {
    return this.change(async (manager, effects) => {
      const task = await this.lockOrFail(manager, taskId);
      this.authorize(task, action, actor);
      this.checkAttempt(task, body.attempt);
      await this.apply(manager, task, action, body, effects);
      return task;
    });
  }

  async progress(taskId: string, dto: ProgressTaskDto, actor?: Principal): Promise<TaskEntity> {
    return this.change(async (manager, effects) => {
      const task = await this.lockOrFail(manager, taskId);
      this.authorize(task, 'progress', actor);
      this.checkAttempt(task, dto.attempt);
      await this.report(manager, task, dto, effects);
      return task;
    });
  }

  /** One task change: its transaction, then its announcement, in its turn (see `reports`). */
  change(
    work: (manager: EntityManager, effects: TaskEffects) => Promise<TaskEntity>,
  ): Promise<TaskEntity> {
    return this.reports.run(() => this.changes.run(work));
  }

  /** The action a requested target status means; `blocked` is reached automatically only. */
  actionFor(task: TaskEntity, status: TaskStatus): TaskAction {
    const action = actionForTarget(status);
    if (!action)
      throw new ConflictError(
        `A task becomes blocked only when a dependency fails or is cancelled; it is ${task.status}`,
        { current_status: task.status },
      );
    return action;
  }

  /**
   * One move of the state machine on a locked task, with its consequences: timestamps,
   * the agent's workload, and the dependents (blocked, released or ready).
   */
  async apply(
    manager: EntityManager,
    task: TaskEntity,
    action: TaskAction,
    body: ActionBody,
    effects: TaskEffects,
  ): Promise<void> {
    const check = checkMove(action, task.status);
    if (!check.ok) throw new ConflictError(check.message, { current_status: task.status, action });
    if (check.repeat) return;
    const previous = task.status;
    const now = new Date();
    if (action === 'start') await this.assertDependenciesCompleted(manager, task);
    task.status = check.to;
    switch (action) {
      case 'start':
        task.startedAt = now;
        task.completedAt = null;
        break;
      case 'complete':
        task.completedAt = now;
        task.progressPercentage = 100;
        task.actualDurationMinutes = minutesBetween(task.startedAt, now);
        if (body.result !== undefined) task.result = body.result;
        if (body.quality_score !== undefined) task.qualityScore = body.quality_score;
        break;
      case 'fail':
        task.completedAt = now;
        task.actualDurationMinutes = minutesBetween(task.startedAt, now);
        task.error = body.error ?? 'failed';
        task.retryable = body.retryable ?? null;
        break;
      case 'cancel':
        task.completedAt = now;
        task.actualDurationMinutes = minutesBetween(task.startedAt, now);
        break;
      case 'retry':
        task.attempt += 1;
        task.startedAt = null;
        task.completedAt = null;
        task.actualDurationMinutes = null;
        task.progressPercentage = 0;
        task.subtasksCompleted = 0;
        task.result = null;
        task.error = null;
        task.retryable = null;
        break;
    }
    await writeLocked(manager, task);
    effects.status(task.id, previous);
    if (action === 'retry') await this.graph.settle(manager, [task], effects);
    await this.graph.cascade(manager, task, previous, effects);
    if (task.assignedAgentId && (previous === 'in_progress' || task.status === 'in_progress')) {
      const workload = await this.agents.refreshWorkload(
        manager,
        task.assignedAgentId,
        task.status === 'in_progress'
          ? { started: { id: task.id, title: task.title } }
          : { finished: task.id },
      );
      if (workload) effects.agent(workload);
    }
  }

  /**
   * Starts many tasks on their agents at once (the orchestrator's assignments): the
   * `start` move of the state machine for each locked task whose dependencies all
   * completed, then the agents' workload in one pass. Returns the tasks started;
   * the others (no longer pending, or not ready) are left as they are.
   */
  async startMany(
    manager: EntityManager,
    assignments: { taskId: string; agentId: string }[],
    effects: TaskEffects,
  ): Promise<TaskEntity[]> {
    const agentOf = new Map(assignments.map((a) => [a.taskId, a.agentId]));
    const tasks = await this.repository.lockMany(manager, [...agentOf.keys()]);
    const dependencies = await this.repository.dependencyStates(manager, [...agentOf.keys()]);
    const started = tasks.filter(
      (task) =>
        checkMove('start', task.status).ok && blockersOf(dependencies.get(task.id)!).length === 0,
    );
    const now = new Date();
    await this.repository.markStarted(
      manager,
      started.map((task) => ({ taskId: task.id, agentId: agentOf.get(task.id)! })),
      now,
    );
    for (const task of started) {
      effects.status(task.id, task.status);
      task.status = 'in_progress';
      task.assignedAgentId = agentOf.get(task.id)!;
      task.startedAt = now;
      task.completedAt = null;
    }
    const workloads = await this.agents.recordAssignments(
      manager,
      started.map((task) => ({
        agentId: task.assignedAgentId!,
        taskId: task.id,
        title: task.title,
      })),
    );
    for (const workload of workloads) effects.agent(workload);
    return started;
  }

  /** A progress report on a locked task: only while it is in progress. */
  async report(
    manager: EntityManager,
    task: TaskEntity,
    dto: Omit<ProgressTaskDto, 'attempt'>,
    effects: TaskEffects,
  ): Promise<void> {
    if (task.status !== 'in_progress')
      throw new ConflictError(
        `Progress is reported on tasks in progress; this one is ${task.status}`,
        {
          current_status: task.status,
        },
      );
    const completed = dto.subtasks_completed ?? task.subtasksCompleted;
    const total = dto.subtasks_total ?? task.subtasksTotal;
    if (completed > total)
      throw new BadRequestError('subtasks_completed cannot exceed subtasks_total', [
        { field: 'subtasks_completed', message: `must be at most subtasks_total (${total})` },
      ]);
    task.progressPercentage = dto.percentage;
    task.subtasksCompleted = completed;
    task.subtasksTotal = total;
    await writeLocked(manager, task);
    effects.progress.set(task.id, dto.message ?? null);
  }

  async lockOrFail(manager: EntityManager, taskId: string): Promise<TaskEntity> {
    const task = await this.repository.lock(manager, taskId);
    if (!task) throw new NotFoundError('Task', taskId);
    return task;
  }

  /** Agent keys may start, report on, complete and fail only their agent's tasks. */
  authorize(task: TaskEntity, action: TaskAction | 'progress', actor?: Principal): void {
    if (actor?.role !== 'agent') return;
    if (action !== 'progress' && !AGENT_ACTIONS.includes(action))
      throw new ForbiddenError(`Agent keys may not ${action} tasks`);
    if (!actor.agentId || task.assignedAgentId !== actor.agentId)
      throw new ForbiddenError(`Task ${task.id} is not assigned to this agent`);
  }

  private checkAttempt(task: TaskEntity, attempt: number | undefined): void {
    if (attempt !== undefined && attempt !== task.attempt)
      throw new ConflictError(
        `Attempt ${attempt} of task ${task.id} is superseded; the current attempt is ${task.attempt}`,
        { current_attempt: task.attempt },
      );
  }

  private async assertDependenciesCompleted(manager: EntityManager, task: TaskEntity) {
    const dependencies = (await this.repository.dependencyStates(manager, [task.id])).get(task.id)!;
    const blockers = blockersOf(dependencies);
    if (blockers.length)
      throw new ConflictError(
        `Cannot start: ${blockers.length} dependenc${blockers.length === 1 ? 'y is' : 'ies are'} not completed`,
        {
          current_status: task.status,
          blockers: dependencies
            .filter((dep) => blockers.includes(dep.id))
            .map(({ id, title, status }) => ({ id, title, status })),
        },
      );
  }
}
