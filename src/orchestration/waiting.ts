import type { WaitingReason } from '../workflows/waiting-reason.js';
import type { StepRouting } from './dispatch-selection.js';

/** The agents serving a routing: how many exist, how many heartbeat, how many have room. */
export interface RoutingCounts {
  matching: number;
  live: number;
}

export interface Waiting {
  reason: WaitingReason;
  detail: string;
}

function wanted(step: StepRouting): string {
  if (step.agentId) return `agent ${step.agentId}`;
  const parts: string[] = [];
  if (step.agentType) parts.push(`of type "${step.agentType}"`);
  if (step.requiredCapabilities.length)
    parts.push(`with capabilities ${step.requiredCapabilities.map((c) => `"${c}"`).join(', ')}`);
  return parts.length ? `an agent ${parts.join(' ')}` : 'any agent';
}

/** The reason a step is waiting, in a word and in a sentence. */
export function waitingFor(
  step: StepRouting,
  counts: RoutingCounts,
  offlineAfterSeconds: number,
): Waiting {
  if (counts.matching === 0)
    return {
      reason: 'no_matching_agent',
      detail: step.agentId
        ? `Waiting for ${wanted(step)}, which is not active`
        : `Waiting for ${wanted(step)}: none is registered and active`,
    };
  if (counts.live === 0)
    return {
      reason: 'no_live_agent',
      detail: `Waiting for ${wanted(step)}: ${counts.matching} match, but none has sent a heartbeat in the last ${offlineAfterSeconds} s (AGENT_OFFLINE_AFTER_SECONDS)`,
    };
  return {
    reason: 'agents_at_capacity',
    detail: `Waiting for ${wanted(step)}: ${counts.live} live agent(s) match, all at capacity (max_concurrent_tasks)`,
  };
}
