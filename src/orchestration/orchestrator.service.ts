import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TaskCommands, type TaskTransaction } from '../tasks/task-commands.service.js';
import { RunEngine } from '../workflows/run-engine.js';
import { countSteps, FINISHED_RUN_STATUSES, type RunStatus } from '../workflows/run-state.js';
import { RunStore, type StepRow } from '../workflows/run-store.js';
import { type RunEvent, RunViews } from '../workflows/run-views.service.js';
import type { FailurePolicy } from '../workflows/workflow-definition.js';
import { DispatchTriggerService } from './dispatch-trigger.service.js';
import { DispatchRepository } from './dispatch.repository.js';
import { DispatchService } from './dispatch.service.js';
import { decideRun, failureMessage, retriesOf } from './run-decision.js';

const UNFINISHED_TASK = new Set(['pending', 'blocked', 'in_progress']);
const EXPIRED_BATCH = 100;

/**
 * Moves runs forward: applies the failure policy, finishes runs whose steps are all
 * terminal, retries failed steps whose backoff elapsed, times out steps past their
 * deadline and has the ready steps dispatched. Every method reads the state it acts
 * on from PostgreSQL and is safe to call again or concurrently.
 */
@Injectable()
export class OrchestratorService implements RunEngine {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunStore,
    private readonly dispatches: DispatchRepository,
    private readonly tasks: TaskCommands,
    private readonly runViews: RunViews,
    private readonly dispatch: DispatchService,
    private readonly trigger: DispatchTriggerService,
  ) {}

  request(runId: string): Promise<void> {
    return this.trigger.request(runId);
  }

  requestAt(runId: string, at: Date, onceKey: string): Promise<void> {
    return this.trigger.requestAt(runId, at, onceKey);
  }

  /**
   * Everything the run needs now: started if scheduled and due, settled when the
   * failure policy or the completion rule has something to do, retries due, and a
   * dispatch of its ready steps. Reads first without locks: most calls (a step
   * completed, dependents ready) need no settling and go straight to dispatch.
   */
  async advance(runId: string): Promise<void> {
    // Read with the run: most calls need only the counts (below), and a statement costs a round trip.
    const found = await this.runs.findWithStepStatuses(runId);
    if (!found || found.run.source !== 'api') return;
    const { run } = found;
    if (run.status === 'scheduled' && !(await this.startDue(runId)).length) return;
    // The common case (a step completed, others still open, none failed) needs neither
    // settling nor retries: a count, instead of reading every step, and on to dispatch.
    if (run.status !== 'paused' && !FINISHED_RUN_STATUSES.includes(run.status)) {
      const counts = countSteps(found.statuses);
      if (counts.pending + counts.running > 0 && counts.failed + counts.cancelled === 0) {
        await this.dispatch.dispatch(runId);
        return;
      }
    }
    let steps = await this.runs.stepsOf(runId);
    let status: RunStatus = run.status === 'scheduled' ? 'running' : run.status;
    if (this.needsSettling(status, run.failurePolicy, steps)) {
      status = (await this.settle(runId)) ?? status;
      steps = await this.runs.stepsOf(runId);
    }
    if (status !== 'running') return;
    await this.retryDue(runId, steps);
    await this.dispatch.dispatch(runId);
  }

  private needsSettling(status: RunStatus, policy: FailurePolicy, steps: StepRow[]): boolean {
    if (FINISHED_RUN_STATUSES.includes(status))
      return steps.some((step) => UNFINISHED_TASK.has(step.status));
    const decision = decideRun(steps, policy);
    return decision.outcome !== 'running' || decision.cancel.length > 0;
  }

  /** Starts scheduled runs whose time came (one, or all); whoever asks first wins each. */
  async startDue(runId?: string): Promise<string[]> {
    const started = await this.dataSource.transaction((manager) =>
      this.runs.startDue(manager, runId),
    );
    for (const run of started) await this.runViews.announce('run.started', run);
    return started.map((run) => run.id);
  }

  /**
   * Under the run's lock: the failure policy and the completion rule, from the steps'
   * states now. A finished run only gets its leftover unfinished steps cancelled.
   */
  async settle(runId: string): Promise<RunStatus | null> {
    let event: RunEvent | null = null;
    let cancelled = 0;
    const run = await this.tasks.run(async (tx) => {
      const manager = tx.manager;
      const run = await this.runs.lock(manager, runId);
      if (!run || run.source !== 'api' || run.status === 'scheduled') return run;
      if (FINISHED_RUN_STATUSES.includes(run.status)) {
        await this.cancelSteps(tx, run.id, null);
        cancelled = tx.statusChanges;
        return run;
      }
      const steps = await this.runs.stepsOf(runId, manager);
      const decision = decideRun(steps, run.failurePolicy);
      if (decision.cancel.length) await this.cancelSteps(tx, run.id, decision.cancel);
      cancelled = tx.statusChanges;
      if (decision.outcome !== 'running') {
        run.status = decision.outcome;
        run.completedAt = new Date();
        run.error = decision.outcome === 'failed' ? failureMessage(decision, steps) : null;
        await manager.save(run);
        event = decision.outcome === 'completed' ? 'run.completed' : 'run.failed';
      }
      return run;
    }, 'orchestration');
    if (!run) return null;
    if (event) await this.runViews.announce(event, run);
    else if (cancelled) await this.runViews.announce('run.progress', run);
    return run.status;
  }

  /**
   * Cancels the run's unfinished steps (all, or those named), dependents first.
   * Steps another writer holds right now are left for the next pass.
   */
  async cancelSteps(
    tx: TaskTransaction,
    runId: string,
    stepKeys: string[] | null,
  ): Promise<number> {
    const ids = await this.runs.claimUnfinishedTasks(tx.manager, runId, stepKeys);
    for (const id of ids) {
      const task = await tx.lock(id);
      if (!UNFINISHED_TASK.has(task.status)) continue;
      if (task.status === 'in_progress')
        await this.dispatches.markSuperseded(tx.manager, id, task.attempt, 'cancelled', null);
      await tx.cancel(id);
    }
    return ids.length;
  }

  /** Failed steps whose backoff elapsed go back to pending (attempt + 1); later ones get a timed pass. */
  async retryDue(runId: string, known?: StepRow[]): Promise<number> {
    const steps = known ?? (await this.runs.stepsOf(runId));
    const { due, later } = retriesOf(steps, new Date());
    for (const { step, at } of later)
      await this.trigger.requestAt(runId, at, `retry:${step.taskId}:${step.attempt}`);
    if (!due.length) return 0;
    const retried = await this.tasks.run(async (tx) => {
      for (const step of due) {
        const task = await tx.lockIfFree(step.taskId);
        if (!task || task.status !== 'failed' || task.attempt !== step.attempt) continue;
        await this.dispatches.markSuperseded(
          tx.manager,
          task.id,
          task.attempt,
          'failed',
          task.error,
        );
        await tx.retry(task.id);
      }
      return tx.statusChanges;
    }, 'orchestration');
    if (retried) await this.runViews.announceProgress([runId]);
    return retried;
  }

  /** Steps in progress past their deadline fail (their attempt timed out); returns their runs. */
  async timeOutExpired(): Promise<string[]> {
    const runIds = await this.tasks.run(async (tx) => {
      const runIds = new Set<string>();
      for (const expired of await this.dispatches.claimExpired(tx.manager, EXPIRED_BATCH)) {
        const task = await tx.lock(expired.taskId);
        if (task.status !== 'in_progress' || task.attempt !== expired.attempt) continue;
        const error = `Timed out after ${expired.timeoutSeconds} s (attempt ${task.attempt})`;
        await this.dispatches.markSuperseded(tx.manager, task.id, task.attempt, 'timed_out', error);
        await tx.timeOut(task.id, error);
        runIds.add(expired.runId);
      }
      return [...runIds];
    }, 'orchestration');
    if (runIds.length) await this.runViews.announceProgress(runIds);
    return runIds;
  }
}
