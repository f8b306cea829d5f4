import { Injectable, OnModuleInit } from '@nestjs/common';
import { AgentHooks } from '../agents/agent-hooks.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { TaskHooks, type TaskStatusChange } from '../tasks/task-hooks.js';
import { ANY_RUN, DispatchSignal } from './dispatch-signal.service.js';
import { DispatchRepository } from './dispatch.repository.js';
import { RunViews } from './run-views.service.js';

/** Moves that can unblock work: a step finished (or went back to pending). */
const TRIGGERING = new Set(['completed', 'failed', 'cancelled', 'pending']);

/**
 * The immediate triggers of dispatch, in whichever process the change happened
 * (agents report to API instances): a step of a run finished, so its dependents may
 * be ready and its agent has room; an agent sent a heartbeat or changed status.
 * Each asks the workers for a pass at once instead of waiting for the sweep.
 */
@Injectable()
export class OrchestrationHooks implements OnModuleInit {
  constructor(
    private readonly taskHooks: TaskHooks,
    private readonly agentHooks: AgentHooks,
    private readonly runViews: RunViews,
    private readonly signal: DispatchSignal,
    private readonly dispatches: DispatchRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.taskHooks.onStatusChanges((changes, stored) => this.onTaskChanges(changes, stored));
    this.agentHooks.onMaybeAvailable((agentId) => this.onAgent(agentId));
  }

  async onTaskChanges(changes: TaskStatusChange[], stored: Promise<void>): Promise<void> {
    const runIds = [
      ...new Set(
        changes
          .filter((change) => change.runId && change.stepKey && TRIGGERING.has(change.status))
          .map((change) => change.runId!),
      ),
    ];
    if (runIds.length) {
      // The step's own events get their ids before anything the dispatch causes.
      await stored;
      for (const runId of runIds) await this.signal.request(runId);
      await this.runViews.announceProgress(runIds);
    }
    const freed = changes.some((change) => change.previous === 'in_progress' && change.agentId);
    if (freed && (await this.dispatches.waitingStepExists(runIds)))
      await this.signal.request(ANY_RUN);
  }

  async onAgent(agentId: string): Promise<void> {
    if (await this.dispatches.waitingStepFor(agentId, this.config.agentOfflineAfterSeconds))
      await this.signal.request(ANY_RUN);
  }
}
