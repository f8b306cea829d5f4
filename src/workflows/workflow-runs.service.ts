import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { AppError, ConflictError, NotFoundError } from '../common/errors/app-errors.js';
import { type Page, toPage } from '../common/pagination/page.js';
import { sleep } from '../common/async.js';
import { TaskCommands, type TaskTransaction } from '../tasks/task-commands.service.js';
import type { ListRunsQuery, RunResponseDto } from './dto/run.dto.js';
import type { ExecuteWorkflowDto } from './dto/workflow.dto.js';
import type { WorkflowEntity } from './entities/workflow.entity.js';
import { type RunTrigger, WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { RunEngine } from './run-engine.js';
import { RunViews } from './run-views.service.js';
import { checkRunMove, type RunAction } from './run-state.js';
import { RunStore } from './run-store.js';
import { RunsRepository } from './runs.repository.js';
import { storedDefinitionProblems } from './stored-definition.js';
import { topologicalOrder, withStepDefaults } from './workflow-definition.js';
import { WorkflowsRepository } from './workflows.repository.js';

export interface ExecuteOptions {
  trigger: RunTrigger;
  /** Saves the new run's id in the caller's job checkpoint, in the run's own transaction. */
  checkpoint?: (manager: EntityManager, run: WorkflowRunEntity) => Promise<void>;
}

/** How long a cancel keeps trying to cancel steps that a concurrent writer held. */
const CANCEL_SETTLE_MS = 3_000;

/** Runs: executing a workflow, reading runs, and pause, resume, cancel and retry. */
@Injectable()
export class WorkflowRunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly workflows: WorkflowsRepository,
    private readonly runs: RunsRepository,
    private readonly store: RunStore,
    private readonly tasks: TaskCommands,
    private readonly views: RunViews,
    private readonly engine: RunEngine,
  ) {}

  async get(runId: string): Promise<RunResponseDto> {
    return this.views.view(await this.find(runId));
  }

  async list(workflowId: string, query: ListRunsQuery): Promise<Page<RunResponseDto>> {
    if (!(await this.workflows.findById(workflowId)))
      throw new NotFoundError('Workflow', workflowId);
    const [runs, total] = await this.runs.list(workflowId, query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: query.sort_by,
      sortOrder: query.sort_order,
    });
    return toPage(await this.views.views(runs), total, query);
  }

  /**
   * Creates a run with one task per step (dependencies from `depends_on`) in one
   * transaction, then has it dispatched, or starts it at `scheduled_at` (a delayed
   * job; the sweep starts overdue scheduled runs should that job be lost).
   */
  async execute(
    workflowId: string,
    input: ExecuteWorkflowDto,
    actor: Principal | null,
    options: ExecuteOptions,
  ): Promise<WorkflowRunEntity> {
    const scheduledAt = input.scheduled_at ? new Date(input.scheduled_at) : null;
    const later = scheduledAt !== null && scheduledAt.getTime() > Date.now();
    const { run, steps } = await this.tasks.run(async (tx) => {
      const manager = tx.manager;
      const workflow = await this.workflows.lock(manager, workflowId);
      if (!workflow) throw new NotFoundError('Workflow', workflowId);
      assertRunnable(workflow);
      await this.assertStepAgentsExist(workflow, manager);
      const run = manager.create(WorkflowRunEntity, {
        id: randomUUID(),
        workflowId,
        runNumber: await this.runs.nextRunNumber(manager, workflowId),
        status: later ? 'scheduled' : 'running',
        source: 'api',
        parameters: { ...workflow.parameters, ...(input.parameters ?? {}) },
        failurePolicy: workflow.failurePolicy,
        trigger: options.trigger,
        triggeredBy: actor ? (actor.userId ?? actor.id) : null,
        scheduledAt,
        // Stamped once its tasks and steps are written (below).
        startedAt: null,
      });
      await manager.save(run);
      await this.createSteps(tx, workflow, run);
      await options.checkpoint?.(manager, run);
      // A run starts once its tasks and steps exist (its commit follows), as a scheduled
      // run starts when it is moved to running: not while its rows are still being written.
      if (!later) run.startedAt = run.updatedAt = await this.runs.markStarted(manager, run.id);
      return { run, steps: workflow.steps.length };
    }, 'orchestration');
    await Promise.all([
      this.views.announce(later ? 'run.updated' : 'run.started', run),
      this.runs.refreshStatistics(steps),
    ]);
    if (later) await this.engine.requestAt(run.id, scheduledAt, `start:${run.id}`);
    else await this.engine.request(run.id);
    return run;
  }

  private async createSteps(
    tx: TaskTransaction,
    workflow: WorkflowEntity,
    run: WorkflowRunEntity,
  ): Promise<void> {
    const steps = workflow.steps.map(withStepDefaults);
    const order = topologicalOrder(steps);
    const taskIds = new Map(steps.map((step) => [step.key, randomUUID()]));
    await tx.createMany(
      steps.map((step) => ({
        id: taskIds.get(step.key)!,
        title: step.task_template.title,
        description: step.task_template.description ?? step.description ?? null,
        priority: step.task_template.priority ?? 'medium',
        taskType: step.task_template.task_type ?? null,
        metadata: step.task_template.metadata ?? {},
        estimatedDurationMinutes: step.task_template.estimated_duration_minutes ?? null,
        workflowId: workflow.id,
        runId: run.id,
        stepKey: step.key,
        dependsOn: step.depends_on.map((key) => taskIds.get(key)!),
      })),
    );
    await this.runs.insertSteps(
      tx.manager,
      steps.map((step) => ({
        runId: run.id,
        stepKey: step.key,
        taskId: taskIds.get(step.key)!,
        name: step.name,
        position: order.get(step.key)!,
        dependsOn: step.depends_on,
        agentId: step.agent_id,
        agentType: step.agent_type,
        requiredCapabilities: step.required_capabilities,
        timeoutSeconds: step.timeout_seconds,
        maxRetries: step.max_retries,
        maxAttempts: 1 + step.max_retries,
      })),
    );
  }

  /** A step naming an agent that no longer exists would wait forever: refuse to run. */
  private async assertStepAgentsExist(
    workflow: WorkflowEntity,
    manager: EntityManager,
  ): Promise<void> {
    const named = [
      ...new Set(workflow.steps.map((step) => step.agent_id).filter((id) => !!id)),
    ] as string[];
    const existing = await this.workflows.agentNames(named, manager);
    const missing = workflow.steps.filter((step) => step.agent_id && !existing.has(step.agent_id));
    if (missing.length)
      throw new ConflictError(
        `Step(s) ${missing.map((step) => `"${step.key}"`).join(', ')} name agents that no longer exist; update the workflow`,
        { steps: missing.map((step) => ({ key: step.key, agent_id: step.agent_id })) },
      );
  }

  async pause(runId: string): Promise<RunResponseDto> {
    const run = await this.move(runId, 'pause');
    await this.views.announce('run.paused', run);
    return this.views.view(run);
  }

  async resume(runId: string): Promise<RunResponseDto> {
    const run = await this.move(runId, 'resume');
    await this.views.announce('run.resumed', run);
    await this.engine.request(run.id);
    return this.views.view(run);
  }

  /** Cancels the run and every step that has not finished; returns once none is left running. */
  async cancel(runId: string): Promise<RunResponseDto> {
    const run = await this.tasks.run(async (tx) => {
      const run = await this.lockMovable(tx.manager, runId, 'cancel');
      run.status = 'cancelled';
      run.completedAt = new Date();
      run.error = 'Cancelled';
      await tx.manager.save(run);
      await this.engine.cancelSteps(tx, run.id, null);
      return run;
    }, 'orchestration');
    await this.views.announce('run.cancelled', run);
    // Steps a report was writing at that moment were skipped: cancel them once it commits.
    const deadline = Date.now() + CANCEL_SETTLE_MS;
    while (Date.now() < deadline && (await this.hasUnfinishedSteps(run.id))) {
      await this.engine.settle(run.id);
      await sleep(20);
    }
    return this.views.view(run);
  }

  /** A failed or cancelled run runs again: its failed and cancelled steps get new attempts and retries. */
  async retry(runId: string): Promise<RunResponseDto> {
    const run = await this.tasks.run(async (tx) => {
      const manager = tx.manager;
      const run = await this.lockMovable(manager, runId, 'retry');
      const steps = await this.store.stepsOf(run.id, manager);
      const ceilings: { key: string; maxAttempts: number }[] = [];
      // Dependencies first, so each retried step finds its dependencies pending, not failed.
      for (const step of steps) {
        if (step.status !== 'failed' && step.status !== 'cancelled') continue;
        const task = await tx.lock(step.taskId);
        if (task.status !== 'failed' && task.status !== 'cancelled') continue;
        const retried = await tx.retry(task.id);
        ceilings.push({ key: step.key, maxAttempts: retried.attempt + step.maxRetries });
      }
      await this.runs.raiseAttemptCeiling(manager, run.id, ceilings);
      run.status = 'running';
      run.completedAt = null;
      run.error = null;
      run.startedAt ??= new Date();
      return manager.save(run);
    }, 'orchestration');
    await this.views.announce('run.started', run);
    await this.engine.request(run.id);
    return this.views.view(run);
  }

  /** Applies a run action to the run's status alone (pause, resume). */
  private async move(runId: string, action: RunAction): Promise<WorkflowRunEntity> {
    return this.dataSource.transaction(async (manager) => {
      const run = await this.lockMovable(manager, runId, action);
      const check = checkRunMove(action, run.status);
      if (check.ok) run.status = check.to;
      return manager.save(run);
    });
  }

  private async lockMovable(
    manager: EntityManager,
    runId: string,
    action: RunAction,
  ): Promise<WorkflowRunEntity> {
    const run = await this.store.lock(manager, runId);
    if (!run) throw new NotFoundError('Run', runId);
    if (run.source !== 'api')
      throw new ConflictError('Runs imported from SubForge are not controlled from here', {
        source: run.source,
      });
    const check = checkRunMove(action, run.status);
    if (!check.ok) throw new ConflictError(check.message, { current_status: run.status, action });
    return run;
  }

  private async hasUnfinishedSteps(runId: string): Promise<boolean> {
    const steps = await this.store.stepsOf(runId);
    return steps.some((step) => ['pending', 'blocked', 'in_progress'].includes(step.status));
  }

  private async find(runId: string): Promise<WorkflowRunEntity> {
    const run = await this.store.findById(runId);
    if (!run) throw new NotFoundError('Run', runId);
    return run;
  }
}

/** A stored definition that cannot run is refused (409, naming each step and field), never half-run. */
function assertRunnable(workflow: WorkflowEntity): void {
  const problems = storedDefinitionProblems(workflow.steps);
  if (problems.length)
    throw new AppError(
      409,
      `The stored definition of this workflow cannot run (${problems
        .map((problem) => `${problem.field}: ${problem.message}`)
        .join('; ')}); update its steps`,
      problems,
    );
}
