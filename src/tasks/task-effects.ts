import type { AgentEntity } from '../agents/entities/agent.entity.js';
import type { AgentStatus } from '../agents/agent-status.js';
import type { DomainEventMap } from '../realtime/domain-events.js';
import type { TaskStatus } from './task-state.js';

/**
 * What a write did, collected inside its transaction and announced after it commits
 * (events carry the state as committed, never a rolled-back one).
 */
export class TaskEffects {
  readonly created = new Set<string>();
  readonly updated = new Set<string>();
  /** Task id → its status before the write (the first one seen). */
  readonly statusChanges = new Map<string, TaskStatus>();
  readonly progress = new Map<string, string | null>();
  readonly assigned = new Set<string>();
  readonly ready = new Set<string>();
  /** Task id → the failed or cancelled dependencies that block it. */
  readonly blocked = new Map<string, string[]>();
  readonly deleted: DomainEventMap['task.deleted'][] = [];
  readonly agents = new Map<string, { agent: AgentEntity; previousStatus: AgentStatus | null }>();
  /**
   * Whether TaskHooks hear of the status changes. The orchestrator turns it off for
   * its own writes: it handles their consequences itself.
   */
  hooks = true;

  status(taskId: string, previous: TaskStatus): void {
    if (!this.statusChanges.has(taskId)) this.statusChanges.set(taskId, previous);
  }

  agent(agent: AgentEntity, previousStatus: AgentStatus | null): void {
    const known = this.agents.get(agent.id);
    this.agents.set(agent.id, { agent, previousStatus: known?.previousStatus ?? previousStatus });
  }

  /** Every task whose representation an event will carry. */
  touched(): string[] {
    return [
      ...new Set([
        ...this.created,
        ...this.updated,
        ...this.statusChanges.keys(),
        ...this.progress.keys(),
        ...this.assigned,
        ...this.ready,
        ...this.blocked.keys(),
      ]),
    ];
  }
}
