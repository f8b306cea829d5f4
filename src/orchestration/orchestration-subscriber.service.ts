import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AgentViews } from '../agents/agent-views.service.js';
import { Batcher } from '../common/batcher.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { TaskCommands } from '../tasks/task-commands.service.js';
import type { TaskStatusChange } from '../tasks/task-state.js';
import { RunViews } from '../workflows/run-views.service.js';
import { ANY_RUN, DispatchTriggerService } from './dispatch-trigger.service.js';
import { DispatchRepository } from './dispatch.repository.js';

/** Moves that can unblock work: a step finished (or went back to pending). */
const TRIGGERING = new Set(['completed', 'failed', 'cancelled', 'pending']);

/**
 * The immediate triggers of dispatch, subscribed to the tasks' and agents' committed
 * changes in whichever process they happened (agents report to API instances): a step
 * of a run finished, so its dependents may be ready and its agent has room; an agent
 * sent a heartbeat or changed status. Each asks the workers for a pass at once instead
 * of waiting for the sweep. The orchestrator's own task changes are skipped: it
 * handles their consequences itself.
 */
@Injectable()
export class OrchestrationSubscriberService implements OnModuleInit {
  private readonly logger = new Logger('OrchestrationSubscriber');
  /**
   * Agents made available together (first heartbeats, back after a silence, capacity
   * freed) share one check: when thousands of agents send their first heartbeat at once, a
   * query each took the pool from the heartbeats themselves.
   */
  private readonly available = new Batcher<string>(async (agentIds) => {
    try {
      if (await this.dispatches.waitingStepForAny(agentIds, this.config.agentOfflineAfterSeconds))
        await this.trigger.request(ANY_RUN);
    } catch (error) {
      // The sweep dispatches waiting steps every second anyway.
      this.logger.warn(
        `no dispatch check for ${agentIds.length} available agents: ${(error as Error).message}`,
      );
    }
  });

  /**
   * Agents freed by steps of some runs: is a ready step of another run waiting? Keyed by
   * the runs to leave out (comma-separated); steps completed together share one query.
   */
  private readonly waitingElsewhere = new Batcher<string, boolean>(async (keys) => {
    const waiting = await this.dispatches.waitingStepsElsewhere(
      keys.map((key) => (key ? key.split(',') : [])),
    );
    return new Map(keys.map((key, index) => [key, waiting[index]]));
  });

  constructor(
    private readonly tasks: TaskCommands,
    private readonly agents: AgentViews,
    private readonly runViews: RunViews,
    private readonly trigger: DispatchTriggerService,
    private readonly dispatches: DispatchRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.subscribers.subscribe((changes, stored) => this.onTaskChanges(changes, stored));
    this.agents.available.subscribe((agentId) => this.onAgent(agentId));
  }

  async onTaskChanges(all: TaskStatusChange[], stored: Promise<void>): Promise<void> {
    const changes = all.filter((change) => change.source === 'client');
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
      for (const runId of runIds) await this.trigger.request(runId);
      await this.runViews.announceProgress(runIds);
    }
    const freed = changes.some((change) => change.previous === 'in_progress' && change.agentId);
    if (freed && (await this.waitingElsewhere.ask(runIds.join(','))))
      await this.trigger.request(ANY_RUN);
  }

  async onAgent(agentId: string): Promise<void> {
    await this.available.ask(agentId);
  }
}
