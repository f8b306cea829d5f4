import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InFlight } from '../common/in-flight.js';
import { InjectRuntime, type Runtime, shutdownWaitMs } from '../config/config.module.js';
import type { TaskStatus } from './task-state.js';

/** A committed status change of a task, as other modules hear of it. */
export interface TaskStatusChange {
  taskId: string;
  runId: string | null;
  stepKey: string | null;
  status: TaskStatus;
  previous: TaskStatus;
  /** The agent it is (or was, until this change) assigned to. */
  agentId: string | null;
}

/** `stored` resolves once the changes' own events are in the event history. */
export type TaskStatusListener = (
  changes: TaskStatusChange[],
  stored: Promise<void>,
) => Promise<void>;

/** How long shutdown waits for listeners still running, at most. */
const SHUTDOWN_WAIT_MS = 2_000;
/** Kept of the shutdown budget for what comes after: the event bus's flush. */
const SHUTDOWN_RESERVE_MS = 4_000;

/**
 * Lets modules that build on tasks (the workflow orchestrator) react to status
 * changes after they commit and their events are published, without the tasks
 * module depending on them.
 */
@Injectable()
export class TaskHooks implements BeforeApplicationShutdown {
  private readonly logger = new Logger('TaskHooks');
  private readonly listeners: TaskStatusListener[] = [];
  private readonly running = new InFlight();

  constructor(@InjectRuntime() private readonly runtime: Runtime) {}

  onStatusChanges(listener: TaskStatusListener): void {
    this.listeners.push(listener);
  }

  /** Fire and forget: a listener never delays or fails the write that caused it. */
  statusChanged(changes: TaskStatusChange[], stored: Promise<void>): void {
    if (!changes.length) return;
    for (const listener of this.listeners)
      this.running.start(
        () => listener(changes, stored),
        (error) => this.logger.warn(`a task status listener failed: ${error.message}`),
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
