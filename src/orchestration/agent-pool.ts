import type { EntityManager } from 'typeorm';
import { isAvailable } from '../agents/agent-status.js';
import { type AgentLoad, rankAgents, routingKey, type StepRouting } from './dispatch-selection.js';
import type { DispatchRepository } from './dispatch.repository.js';

/**
 * The agents one dispatch transaction hands steps to. Candidates are read once per
 * routing; an agent's row is locked (SKIP LOCKED) before its first step and its
 * workload recounted after the lock, so no other dispatcher can fill the same slot.
 * Agents another dispatcher holds are skipped, not waited for.
 */
export class AgentPool {
  private readonly routes = new Map<string, string[]>();
  private readonly loads = new Map<string, AgentLoad>();
  private readonly held = new Set<string>();
  private readonly out = new Set<string>();

  constructor(
    private readonly manager: EntityManager,
    private readonly repository: DispatchRepository,
    private readonly offlineAfterSeconds: number,
  ) {}

  /** The agent that takes this step (its slot counted), or null when none can now. */
  async take(step: StepRouting, wanted = 1): Promise<string | null> {
    const ids = await this.candidatesFor(step);
    for (;;) {
      const ranked = rankAgents(
        ids.filter((id) => !this.out.has(id)).map((id) => this.loads.get(id)!),
      );
      const best = ranked[0];
      if (!best) return null;
      if (!this.held.has(best.id)) {
        // Take the rows of as many of the best agents as steps may need, in one go.
        const batch = ranked
          .filter((load) => !this.held.has(load.id))
          .slice(0, Math.max(1, wanted));
        await this.hold(batch);
        continue;
      }
      if (best.running >= best.capacity) {
        this.out.add(best.id);
        continue;
      }
      best.running++;
      return best.id;
    }
  }

  /** Gives back a slot taken for a step that could not be assigned after all. */
  release(agentId: string): void {
    const load = this.loads.get(agentId);
    if (load) load.running--;
  }

  private async candidatesFor(step: StepRouting): Promise<string[]> {
    const key = routingKey(step);
    let ids = this.routes.get(key);
    if (!ids) {
      const loads = await this.repository.candidates(this.manager, step, this.offlineAfterSeconds);
      for (const load of loads) if (!this.loads.has(load.id)) this.loads.set(load.id, load);
      ids = loads.map((load) => load.id);
      this.routes.set(key, ids);
    }
    return ids;
  }

  /** Locks the agents' rows and recounts their workload; those held elsewhere or unavailable are out. */
  private async hold(batch: AgentLoad[]): Promise<void> {
    const ids = batch.map((load) => load.id);
    const locked = new Map(
      (await this.repository.lockAgents(this.manager, ids)).map((agent) => [agent.id, agent]),
    );
    const running = await this.repository.runningOn(this.manager, [...locked.keys()]);
    for (const load of batch) {
      const agent = locked.get(load.id);
      if (!agent) {
        this.out.add(load.id);
        continue;
      }
      this.held.add(load.id);
      load.capacity = agent.capacity;
      load.running = running.get(load.id) ?? 0;
      const available = isAvailable(
        {
          isActive: agent.isActive,
          status: agent.status,
          lastHeartbeat: agent.lastHeartbeat,
          running: load.running,
          capacity: load.capacity,
        },
        this.offlineAfterSeconds,
      );
      if (!available) this.out.add(load.id);
    }
  }
}
