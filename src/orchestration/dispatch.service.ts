import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, type Runtime } from '../config/config.module.js';
import { TaskCommands, type TaskTransaction } from '../tasks/task-commands.service.js';
import { RunViews } from '../workflows/run-views.service.js';
import type { WaitingChange } from '../workflows/waiting-reason.js';
import { AgentPool } from './agent-pool.js';
import { routingKey } from './dispatch-selection.js';
import { type ClaimedStep, DispatchRepository } from './dispatch.repository.js';
import { type Waiting, waitingFor } from './waiting.js';

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
export class DispatchService {
  constructor(
    private readonly repository: DispatchRepository,
    private readonly tasks: TaskCommands,
    private readonly runViews: RunViews,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  /** Dispatches the ready steps of a run (null: of every running run) while agents take them. */
  async dispatch(runId: string | null): Promise<number> {
    let total = 0;
    // A pass's `run.progress` (a count over all of its runs' steps) goes out beside the
    // next pass instead of holding it up; all are out before this returns. A pass's
    // waiting reasons follow its progress, in pass order: each carries what its pass decided.
    const announcing: Promise<void>[] = [];
    try {
      for (;;) {
        const pass = await this.tasks.run((tx) => this.pass(tx, runId), 'orchestration');
        const progress = pass.dispatched ? this.runViews.announceProgress(pass.runs) : null;
        if (progress) {
          // Awaited below; until then a failure must not go unhandled.
          progress.catch(() => undefined);
          announcing.push(progress);
        }
        if (pass.waiting.length) {
          await progress;
          await this.runViews.announceWaiting(pass.waiting);
        }
        total += pass.dispatched;
        if (pass.claimed < BATCH || pass.dispatched === 0) break;
      }
    } finally {
      await Promise.allSettled(announcing);
    }
    // Every announcement has settled: this only passes on a failed one.
    await Promise.all(announcing);
    return total;
  }

  private async pass(tx: TaskTransaction, runId: string | null): Promise<Pass> {
    const manager = tx.manager;
    const claims = await this.repository.claimReadySteps(manager, runId, BATCH);
    const pool = new AgentPool(manager, this.repository, this.config.agentOfflineAfterSeconds);
    const chosen = new Map<string, { claim: ClaimedStep; agentId: string }>();
    for (const [index, claim] of claims.entries()) {
      const agentId = await pool.take(claim, claims.length - index);
      if (agentId) chosen.set(claim.taskId, { claim, agentId });
    }
    // The state machine's `start` for all of them; a task no longer startable is left out.
    const started = await tx.startMany(
      [...chosen.values()].map(({ claim, agentId }) => ({ taskId: claim.taskId, agentId })),
    );
    const startedIds = new Set(started.map((task) => task.id));
    for (const { claim, agentId } of chosen.values())
      if (!startedIds.has(claim.taskId)) pool.release(agentId);
    const cleared = await this.repository.logDispatches(
      manager,
      started.map((task) => {
        const { claim } = chosen.get(task.id)!;
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
      ),
    );
    for (const { runId, stepKey } of cleared) {
      const claim = claims.find((step) => step.runId === runId && step.stepKey === stepKey)!;
      waiting.push({ runId, stepKey, taskId: claim.taskId, reason: null, detail: null });
    }
    return {
      claimed: claims.length,
      dispatched: started.length,
      runs: new Set(started.map((task) => chosen.get(task.id)!.claim.runId)),
      waiting,
    };
  }

  /** Why each step left waiting waits (one count per routing). */
  private async waitingReasons(
    manager: EntityManager,
    waiting: ClaimedStep[],
  ): Promise<WaitingChange[]> {
    const byRouting = new Map<string, Waiting>();
    const changes: WaitingChange[] = [];
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
