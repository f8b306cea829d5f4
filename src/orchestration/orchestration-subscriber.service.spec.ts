import { describe, expect, it } from 'vitest';
import type { AgentViews } from '../agents/agent-views.service.js';
import type { AppConfig } from '../config/config.js';
import type { TaskCommands } from '../tasks/task-commands.service.js';
import type { TaskStatusChange } from '../tasks/task-state.js';
import type { RunViews } from '../workflows/run-views.service.js';
import { ANY_RUN, type DispatchTriggerService } from './dispatch-trigger.service.js';
import type { DispatchRepository } from './dispatch.repository.js';
import { OrchestrationSubscriberService } from './orchestration-subscriber.service.js';

/** A step of `runId` completed on an agent, which is free again. */
const completed = (runId: string): TaskStatusChange => ({
  taskId: `task-of-${runId}`,
  runId,
  stepKey: 'step',
  status: 'completed',
  previous: 'in_progress',
  agentId: 'agent-1',
  source: 'client',
});

/** `waitingRuns`: the runs with a ready step waiting for an agent. */
function subscriber(waitingRuns: string[]) {
  const requests: string[] = [];
  const lookups: string[][][] = [];
  const service = new OrchestrationSubscriberService(
    {} as TaskCommands,
    {} as AgentViews,
    { announceProgress: async () => undefined } as unknown as RunViews,
    { request: async (scope: string) => void requests.push(scope) } as DispatchTriggerService,
    {
      waitingStepsElsewhere: async (excepts: string[][]) => {
        lookups.push(excepts);
        return excepts.map((except) => waitingRuns.some((runId) => !except.includes(runId)));
      },
    } as unknown as DispatchRepository,
    {} as AppConfig,
  );
  return { service, requests, lookups };
}

describe('OrchestrationSubscriberService: an agent freed by a step', () => {
  it('asks for a pass over every run when a step of another run waits, in one lookup for completions together', async () => {
    const { service, requests, lookups } = subscriber(['run-a']);
    await Promise.all(
      ['run-a', 'run-b', 'run-c'].map((runId) =>
        service.onTaskChanges([completed(runId)], Promise.resolve()),
      ),
    );
    expect(lookups).toHaveLength(1);
    // run-a's own pass covers run-a; run-b and run-c freed agents run-a waits for.
    expect(requests.filter((scope) => scope === ANY_RUN)).toHaveLength(2);
    expect(requests.filter((scope) => scope !== ANY_RUN).sort()).toEqual([
      'run-a',
      'run-b',
      'run-c',
    ]);
  });

  it('asks for no pass over every run when only the completed step’s own run waits', async () => {
    const { service, requests } = subscriber(['run-a']);
    await service.onTaskChanges([completed('run-a')], Promise.resolve());
    expect(requests).toEqual(['run-a']);
  });
});
