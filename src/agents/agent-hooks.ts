import { Injectable, Logger } from '@nestjs/common';

export type AgentListener = (agentId: string) => Promise<void>;

/**
 * Lets modules that hand work to agents (the workflow orchestrator) hear, after
 * commit, that an agent may be able to take work: a heartbeat, a status change,
 * capacity freed. The agents module does not depend on them.
 */
@Injectable()
export class AgentHooks {
  private readonly logger = new Logger('AgentHooks');
  private readonly listeners: AgentListener[] = [];

  onMaybeAvailable(listener: AgentListener): void {
    this.listeners.push(listener);
  }

  /** Fire and forget: a listener never delays or fails the write that caused it. */
  maybeAvailable(agentId: string): void {
    for (const listener of this.listeners)
      void listener(agentId).catch((error: Error) =>
        this.logger.warn(`an agent listener failed: ${error.message}`),
      );
  }
}
