import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, type Runtime } from '../config/config.module.js';
import { TaskEffects } from '../tasks/task-effects.js';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service.js';
import { TaskViews } from '../tasks/task-views.service.js';
import { AgentPool } from './agent-pool.js';
import { routingKey } from './dispatch-selection.js';
import { type ClaimedStep, DispatchRepository, type WaitingChange } from './dispatch.repository.js';
import { type Waiting, waitingFor } from './waiting-reason.js';
import { RunViews } from './run-views.service.js';

/** Steps claimed per transaction: short transactions, and agents hear of their steps sooner. */
const BATCH = 100;

interface Pass {
  claimed: number;
  dispatched: number;
  runs: Set<string>;
  waiting: WaitingChange[];
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
      if (pass.waiting.length) await this.runViews.announceWaiting(pass.waiting);
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
    const chosen = new Map<string, { claim: ClaimedStep; agentId: string }>();
    for (const [index, claim] of claims.entries()) {
      const agentId = await pool.take(claim, claims.length - index);
      if (agentId) chosen.set(claim.taskId, { claim, agentId });
    }
    // The state machine's `start` for all of them; a task no longer startable is left out.
    const started = await this.lifecycle.startMany(
      manager,
      [...chosen.values()].map(({ claim, agentId }) => ({ taskId: claim.taskId, agentId })),
      effects,
    );
    const startedIds = new Set(started.map((task) => task.id));
    for (const { claim, agentId } of chosen.values())
      if (!startedIds.has(claim.taskId)) pool.release(agentId);
    await this.repository.logDispatches(
      manager,
      started.map((task) => {
        const { claim } = chosen.get(task.id)!;
        effects.assigned.add(task.id);
        return {
          runId: claim.runId,
          taskId: task.id,
          stepKey: claim.stepKey,
          attempt: task.attempt,
          agentId: task.assignedAgentId!,
          // The assignment is the task's start: its timeout counts from here.
          dispatchedAt: task.startedAt!,
          timeoutSeconds: claim.timeoutSeconds,
        };
      }),
      this.runtime.instanceId,
    );
    const waiting = await this.repository.setWaiting(
      manager,
      await this.waitingReasons(
        manager,
        claims.filter((claim) => !startedIds.has(claim.taskId)),
        claims.filter((claim) => startedIds.has(claim.taskId)),
      ),
    );
    return {
      claimed: claims.length,
      dispatched: started.length,
      runs: new Set(started.map((task) => chosen.get(task.id)!.claim.runId)),
      waiting,
    };
  }

  /** Why each step left waiting waits (one count per routing); those dispatched wait no more. */
  private async waitingReasons(
    manager: EntityManager,
    waiting: ClaimedStep[],
    dispatched: ClaimedStep[],
  ): Promise<WaitingChange[]> {
    const byRouting = new Map<string, Waiting>();
    const changes: WaitingChange[] = dispatched.map((claim) => ({
      runId: claim.runId,
      stepKey: claim.stepKey,
      taskId: claim.taskId,
      reason: null,
      detail: null,
    }));
    for (const claim of waiting) {
      const key = routingKey(claim);
      let reason = byRouting.get(key);
      if (!reason) {
        const offlineAfter = this.config.agentOfflineAfterSeconds;
        reason = waitingFor(
          claim,
          await this.repository.routingCounts(manager, claim, offlineAfter),
          offlineAfter,
        );
        byRouting.set(key, reason);
      }
      changes.push({
        runId: claim.runId,
        stepKey: claim.stepKey,
        taskId: claim.taskId,
        reason: reason.reason,
        detail: reason.detail,
      });
    }
    return changes;
  }
}
