import { Injectable } from '@nestjs/common';
import { Batcher } from '../common/batcher.js';
import { EventBus } from '../realtime/event-bus.service.js';
import type { RunResponseDto } from './dto/run.dto.js';
import type { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { toRunResponse, toRunSummary } from './run.mapper.js';
import { RunStore } from './run-store.js';
import type { WaitingChange } from './waiting-reason.js';

export type RunEvent =
  | 'run.started'
  | 'run.progress'
  | 'run.paused'
  | 'run.resumed'
  | 'run.completed'
  | 'run.failed'
  | 'run.cancelled'
  | 'run.updated';

/** What a run event carries: the run without its steps (each step has its own task events). */
export type RunEventView = Omit<RunResponseDto, 'steps'>;

/** Runs as shown (with the state of their steps' tasks) and their announcements. */
@Injectable()
export class RunViews {
  /**
   * `run.progress` counts all of a run's steps: a burst of step changes (a hundred
   * agents reporting at once, dispatch passes back to back) is announced as one or two
   * counts of each run, not one per change. The last state is always announced.
   */
  private readonly progress = new Batcher<string>((ids) => this.publishProgress(ids));

  constructor(
    private readonly runs: RunStore,
    private readonly events: EventBus,
  ) {}

  async view(run: WorkflowRunEntity): Promise<RunResponseDto> {
    return toRunResponse(run, await this.runs.stepsOf(run.id));
  }

  async views(runs: WorkflowRunEntity[]): Promise<RunResponseDto[]> {
    const steps = await this.runs.steps(runs.map((run) => run.id));
    return runs.map((run) => toRunResponse(run, steps.get(run.id)!));
  }

  /**
   * Publishes a run event with the run as committed now. Run events leave the steps
   * out: a run may have thousands, and every step change already reaches `run:<id>`
   * as a task event.
   */
  async announce(event: RunEvent, run: WorkflowRunEntity): Promise<void> {
    const statuses = (await this.runs.stepStatuses([run.id])).get(run.id)!;
    await this.events.publish(event, { run: toRunSummary(run, statuses) });
  }

  /** `workflow_update` (`run_waiting`) for runs whose steps' waiting reasons changed. */
  async announceWaiting(changes: WaitingChange[]): Promise<void> {
    const ids = [...new Set(changes.map((change) => change.runId))];
    const [runs, statuses] = await Promise.all([
      this.runs.findByIds(ids),
      this.runs.stepStatuses(ids),
    ]);
    await this.events.publishAll(
      runs.map((run) => [
        'run.waiting',
        {
          run: toRunSummary(run, statuses.get(run.id) ?? []),
          steps: changes
            .filter((change) => change.runId === run.id)
            .map((change) => ({
              key: change.stepKey,
              task_id: change.taskId,
              waiting_reason: change.reason,
              waiting_detail: change.detail,
            })),
        },
      ]),
    );
  }

  /** `run.progress` for runs whose steps changed; settles once announced as they are now (or later). */
  announceProgress(runIds: Iterable<string>): Promise<void> {
    return this.progress.askAll(runIds);
  }

  private async publishProgress(ids: string[]): Promise<void> {
    const [runs, statuses] = await Promise.all([
      this.runs.findByIds(ids),
      this.runs.stepStatuses(ids),
    ]);
    if (!runs.length) return;
    await this.events.publishAll(
      runs.map((run) => ['run.progress', { run: toRunSummary(run, statuses.get(run.id) ?? []) }]),
    );
  }
}
