import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { BadRequestError, NotFoundError } from '../common/errors/app-errors.js';
import { TaskCommands, type TaskTransaction } from '../tasks/task-commands.service.js';
import type { TaskStatus } from '../tasks/task-state.js';
import { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { WorkflowEntity } from './entities/workflow.entity.js';
import { type RunEvent, RunViews } from './run-views.service.js';
import { FINISHED_RUN_STATUSES, type RunStatus } from './run-state.js';
import { RunStore } from './run-store.js';
import { RunsRepository } from './runs.repository.js';
import { checkDefinition, withStepDefaults } from './workflow-definition.js';
import { WorkflowsRepository } from './workflows.repository.js';
import { WorkflowsService } from './workflows.service.js';

/** A step of a SubForge run as its importer read it, with its state as a fact. */
export interface ImportedStep {
  key: string;
  name: string;
  status: TaskStatus;
  depends_on?: string[];
  agent_id?: string | null;
  started_at?: Date | null;
  completed_at?: Date | null;
  error?: string | null;
}

export interface ImportedRun {
  workflow_id: string;
  /** The SubForge run's own id: importing it again updates the same run. */
  external_id: string;
  status: RunStatus;
  parameters?: Record<string, unknown>;
  started_at?: Date | null;
  completed_at?: Date | null;
  error?: string | null;
  steps: ImportedStep[];
}

/** What a write did, for its announcement after commit. */
export interface ImportedRunWrite {
  run: WorkflowRunEntity;
  previous: RunStatus | null;
  tasks: TaskTransaction;
}

/** `workflow_type` of the workflows holding imported SubForge runs. */
export const SUBFORGE_WORKFLOW_TYPE = 'subforge';

const FINISH_EVENTS: Partial<Record<RunStatus, RunEvent>> = {
  completed: 'run.completed',
  failed: 'run.failed',
  cancelled: 'run.cancelled',
};

/**
 * Runs mirrored from SubForge (`source: subforge`). Their steps' states are facts
 * reported by SubForge, written as given: they are never dispatched, timed out or
 * retried here.
 */
@Injectable()
export class RunImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly workflows: WorkflowsRepository,
    private readonly runs: RunsRepository,
    private readonly store: RunStore,
    private readonly tasks: TaskCommands,
    private readonly views: RunViews,
    private readonly workflowsService: WorkflowsService,
  ) {}

  /** Creates or updates the run mirroring `input.external_id`; returns it. */
  async upsert(input: ImportedRun): Promise<WorkflowRunEntity> {
    const written = await this.dataSource.transaction((manager) => this.write(manager, input));
    await this.announce(written);
    return written.run;
  }

  /**
   * Writes the run within the caller's transaction (it locks the workflow row);
   * pass the result to `announce` once that transaction has committed.
   */
  async write(manager: EntityManager, input: ImportedRun): Promise<ImportedRunWrite> {
    this.check(input);
    const tasks = this.tasks.within(manager, 'import');
    if (!(await this.workflows.lock(manager, input.workflow_id)))
      throw new NotFoundError('Workflow', input.workflow_id);
    const agentNames = await this.workflows.agentNames(
      input.steps.map((step) => step.agent_id).filter((id): id is string => !!id),
      manager,
    );
    let run = await this.runs.findImported(manager, input.workflow_id, input.external_id);
    const previous = run?.status ?? null;
    const fresh = !run;
    run ??= manager.create(WorkflowRunEntity, {
      id: randomUUID(),
      workflowId: input.workflow_id,
      runNumber: await this.runs.nextRunNumber(manager, input.workflow_id),
      source: 'subforge',
      externalId: input.external_id,
      failurePolicy: 'continue',
      trigger: 'import',
      triggeredBy: null,
      scheduledAt: null,
    });
    const changes = {
      status: input.status,
      parameters: input.parameters ?? run.parameters ?? {},
      startedAt: input.started_at ?? null,
      completedAt: input.completed_at ?? null,
      error: input.error ?? null,
    };
    Object.assign(run, changes);
    // insert / update rather than save: save reads the row back first.
    if (fresh)
      await manager.insert(WorkflowRunEntity, run as QueryDeepPartialEntity<WorkflowRunEntity>);
    else {
      await manager.update(
        WorkflowRunEntity,
        { id: run.id },
        changes as QueryDeepPartialEntity<WorkflowRunEntity>,
      );
      run.updatedAt = new Date();
    }
    await this.writeSteps(tasks, run, input.steps, agentNames, fresh);
    return { run, previous, tasks };
  }

  /** Announces a committed write: its tasks' changes, then the run's. */
  async announce({ run, previous, tasks }: ImportedRunWrite): Promise<void> {
    await tasks.announce();
    const finished = FINISHED_RUN_STATUSES.includes(run.status) && previous !== run.status;
    await this.views.announce(
      finished ? FINISH_EVENTS[run.status]! : previous === null ? 'run.started' : 'run.progress',
      run,
    );
  }

  /**
   * The workflow holding the runs imported from one SubForge project (found by
   * `projectId`, made on first use; concurrent importers make it once).
   */
  async projectWorkflow(projectId: string, name: string, root: string): Promise<string> {
    const { workflow, created } = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`workflow:${projectId}`]);
      const found = await manager.findOne(WorkflowEntity, {
        where: { workflowType: SUBFORGE_WORKFLOW_TYPE, projectId },
        select: { id: true },
      });
      if (found) return { workflow: found, created: false };
      const saved = await manager.save(
        manager.create(WorkflowEntity, {
          name,
          description: `Runs imported from SubForge (${root}/.subforge)`,
          workflowType: SUBFORGE_WORKFLOW_TYPE,
          projectId,
          projectName: name,
          configuration: { subforge_root: root },
          failurePolicy: 'continue',
          tags: ['subforge'],
        }),
      );
      return { workflow: saved, created: true };
    });
    if (created) await this.workflowsService.announce(workflow, 'workflow.created');
    return workflow.id;
  }

  private check(input: ImportedRun): void {
    const { errors } = checkDefinition(
      input.steps.map((step) =>
        withStepDefaults({
          key: step.key,
          name: step.name,
          task_template: { title: step.name },
          depends_on: step.depends_on,
        }),
      ),
    );
    if (errors.length) throw new BadRequestError('Invalid imported run', errors);
  }

  private async writeSteps(
    tasks: TaskTransaction,
    run: WorkflowRunEntity,
    steps: ImportedStep[],
    agentNames: Map<string, string>,
    newRun: boolean,
  ): Promise<void> {
    const manager = tasks.manager;
    const existing = new Map(
      newRun ? [] : (await this.store.stepsOf(run.id, manager)).map((step) => [step.key, step]),
    );
    const fields = (step: ImportedStep) => ({
      status: step.status,
      assignedAgentId: step.agent_id && agentNames.has(step.agent_id) ? step.agent_id : null,
      startedAt: step.started_at ?? null,
      completedAt: step.completed_at ?? null,
      error: step.error ?? null,
    });
    const time = (date: Date | null) => date?.getTime() ?? null;
    const changed: Parameters<TaskTransaction['importStates']>[0] = [];
    for (const step of steps) {
      const known = existing.get(step.key);
      if (!known) continue;
      const next = fields(step);
      // A re-import mostly repeats what is stored: only steps that changed are written and announced.
      const unchanged =
        known.status === next.status &&
        known.assignedAgentId === next.assignedAgentId &&
        time(known.startedAt) === time(next.startedAt) &&
        time(known.completedAt) === time(next.completedAt) &&
        known.error === next.error;
      if (!unchanged) changed.push({ taskId: known.taskId, previous: known.status, state: next });
    }
    await tasks.importStates(changed);
    const fresh = steps.filter((step) => !existing.has(step.key));
    if (!fresh.length) return;
    const ids = new Map([...existing.values()].map((step) => [step.key, step.taskId]));
    for (const step of fresh) ids.set(step.key, randomUUID());
    const order = new Map(steps.map((step, index) => [step.key, index]));
    await tasks.createMany(
      fresh.map((step) => ({
        id: ids.get(step.key)!,
        title: step.name,
        workflowId: run.workflowId,
        runId: run.id,
        stepKey: step.key,
        ...fields(step),
        dependsOn: (step.depends_on ?? []).map((key) => ids.get(key)!),
      })),
    );
    await this.runs.insertSteps(
      manager,
      fresh.map((step) => ({
        runId: run.id,
        stepKey: step.key,
        taskId: ids.get(step.key)!,
        name: step.name,
        position: order.get(step.key)!,
        dependsOn: step.depends_on ?? [],
        // Imported runs are not dispatched: no routing.
        agentId: null,
        agentType: null,
        requiredCapabilities: [],
        timeoutSeconds: 0,
        maxRetries: 0,
        maxAttempts: 1,
      })),
    );
  }
}
