import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InFlight } from '../common/in-flight.js';
import { InjectRuntime, type Runtime, shutdownWaitMs } from '../config/config.module.js';

export type AgentListener = (agentId: string) => Promise<void>;

/** How long shutdown waits for listeners still running, at most. */
const SHUTDOWN_WAIT_MS = 2_000;
/** Kept of the shutdown budget for what comes after: the event bus's flush. */
const SHUTDOWN_RESERVE_MS = 4_000;

/**
 * Lets modules that hand work to agents (the workflow orchestrator) hear, after
 * commit, that an agent may be able to take work: a heartbeat, a status change,
 * capacity freed. The agents module does not depend on them.
 */
@Injectable()
export class AgentHooks implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AgentHooks');
  private readonly listeners: AgentListener[] = [];
  private readonly running = new InFlight();

  constructor(@InjectRuntime() private readonly runtime: Runtime) {}

  onMaybeAvailable(listener: AgentListener): void {
    this.listeners.push(listener);
  }

  /** Fire and forget: a listener never delays or fails the write that caused it. */
  maybeAvailable(agentId: string): void {
    for (const listener of this.listeners)
      this.running.start(
        () => listener(agentId),
        (error) => this.logger.warn(`an agent listener failed: ${error.message}`),
      );
  }

  /** Resolves once the listeners started so far have ended (shutdown, tests). */
  settled(): Promise<void> {
    return this.running.settled();
  }

  /** No listener is running. */
  get idle(): boolean {
    return this.running.idle;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.running.settled(shutdownWaitMs(this.runtime, SHUTDOWN_WAIT_MS, SHUTDOWN_RESERVE_MS));
  }
}
