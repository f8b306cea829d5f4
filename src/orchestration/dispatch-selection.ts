/**
 * Which agent takes a ready step, pure. The dispatcher feeds it the agents that
 * match the step and passed the availability rule, with their current workload.
 */
export interface AgentLoad {
  id: string;
  running: number;
  capacity: number;
  /** When it last did something (longest idle goes first among equals). */
  lastActivity: Date | null;
}

export interface StepRouting {
  agentId: string | null;
  agentType: string | null;
  requiredCapabilities: readonly string[];
}

/** The routing signature: steps with the same one share their candidate agents. */
export function routingKey(step: StepRouting): string {
  if (step.agentId) return `id:${step.agentId}`;
  return `type:${step.agentType ?? '*'}|caps:${[...step.requiredCapabilities].sort().join(',')}`;
}

/** Does this agent serve the step (its named agent, or its type and every capability)? */
export function serves(
  agent: { id: string; agentType: string; capabilities: readonly string[] },
  step: StepRouting,
): boolean {
  if (step.agentId) return agent.id === step.agentId;
  if (step.agentType && agent.agentType !== step.agentType) return false;
  return step.requiredCapabilities.every((capability) => agent.capabilities.includes(capability));
}

/**
 * Agents with room, least busy first: the lowest share of capacity in use, then
 * fewest running, then the longest idle, then by id (a stable order).
 */
export function rankAgents(agents: readonly AgentLoad[]): AgentLoad[] {
  return agents
    .filter((agent) => agent.running < agent.capacity)
    .sort(
      (a, b) =>
        a.running / a.capacity - b.running / b.capacity ||
        a.running - b.running ||
        (a.lastActivity?.getTime() ?? 0) - (b.lastActivity?.getTime() ?? 0) ||
        a.id.localeCompare(b.id),
    );
}
