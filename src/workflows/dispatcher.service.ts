import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError } from '../common/errors/app-errors.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, type Runtime } from '../config/config.module.js';
import { TaskEffects } from '../tasks/task-effects.js';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service.js';
import { TaskViews } from '../tasks/task-views.service.js';
import { AgentPool } from './agent-pool.js';
import { DispatchRepository } from './dispatch.repository.js';
import { RunViews } from './run-views.service.js';

/** Steps claimed per transaction: short transactions, and agents hear of their steps sooner. */
const BATCH = 25;

interface Pass {
  claimed: number;
  dispatched: number;
  runs: Set<string>;
}

/**
 * Assigns ready steps to agents. All state is in PostgreSQL: the ready steps are
 * claimed with FOR UPDATE SKIP LOCKED and agents' rows are locked before their
 * capacity is counted, so any number of dispatchers (two workers, the sweep and a
 * job) may run at once without a step being dispatched twice or an agent overfilled.
 */
@Injectable()
export class Dispatcher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DispatchRepository,
    private readonly lifecycle: TaskLifecycleService,
    private readonly taskViews: TaskViews,
    private readonly runViews: RunViews,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  /** Dispatches the ready steps of a run (null: of every running run) while agents take them. */
  async dispatch(runId: string | null): Promise<number> {
    let total = 0;
    for (;;) {
      const effects = new TaskEffects();
      effects.hooks = false;
      const pass = await this.dataSource.transaction((manager) =>
        this.pass(manager, runId, effects),
      );
      if (pass.dispatched) {
        await this.taskViews.announce(effects);
        await this.runViews.announceProgress(pass.runs);
      }
      total += pass.dispatched;
      if (pass.claimed < BATCH || pass.dispatched === 0) return total;
    }
  }

  private async pass(
    manager: EntityManager,
    runId: string | null,
    effects: TaskEffects,
  ): Promise<Pass> {
    const claims = await this.repository.claimReadySteps(manager, runId, BATCH);
    const pool = new AgentPool(manager, this.repository, this.config.agentOfflineAfterSeconds);
    const pass: Pass = { claimed: claims.length, dispatched: 0, runs: new Set() };
    for (const claim of claims) {
      const agentId = await pool.take(claim);
      if (!agentId) continue;
      const task = await this.lifecycle.lockOrFail(manager, claim.taskId);
      task.assignedAgentId = agentId;
      try {
        // The state machine checks once more that every dependency completed.
        await this.lifecycle.apply(manager, task, 'start', {}, effects);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        pool.release(agentId);
        continue;
      }
      effects.assigned.add(task.id);
      await this.repository.logDispatch(manager, {
        runId: claim.runId,
        taskId: task.id,
        stepKey: claim.stepKey,
        attempt: task.attempt,
        agentId,
        instanceId: this.runtime.instanceId,
        // The assignment is the task's start: timeouts count from it.
        dispatchedAt: task.startedAt!,
        timeoutSeconds: claim.timeoutSeconds,
      });
      pass.dispatched++;
      pass.runs.add(claim.runId);
    }
    return pass;
  }
}
