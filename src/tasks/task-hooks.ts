import { Injectable, Logger } from '@nestjs/common';
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

/**
 * Lets modules that build on tasks (the workflow orchestrator) react to status
 * changes after they commit and their events are published, without the tasks
 * module depending on them.
 */
@Injectable()
export class TaskHooks {
  private readonly logger = new Logger('TaskHooks');
  private readonly listeners: TaskStatusListener[] = [];

  onStatusChanges(listener: TaskStatusListener): void {
    this.listeners.push(listener);
  }

  /** Fire and forget: a listener never delays or fails the write that caused it. */
  statusChanged(changes: TaskStatusChange[], stored: Promise<void>): void {
    if (!changes.length) return;
    for (const listener of this.listeners)
      void listener(changes, stored).catch((error: Error) =>
        this.logger.warn(`a task status listener failed: ${error.message}`),
      );
  }
}
