/**
 * The availability and capacity rules of CONTRACT §3 "Agents", pure so that every
 * writer (heartbeats, commands, task workload, the offline sweep) applies the same ones.
 */

export const AGENT_STATUSES = [
  'active',
  'idle',
  'busy',
  'offline',
  'error',
  'inactive',
  'restarting',
] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** What an agent may report about itself in a heartbeat (the original v1 vocabulary). */
export const HEARTBEAT_STATUSES = ['active', 'idle', 'busy', 'offline', 'error'] as const;
export type HeartbeatStatus = (typeof HEARTBEAT_STATUSES)[number];

export const AGENT_COMMANDS = ['start', 'stop', 'restart'] as const;
export type AgentCommandName = (typeof AGENT_COMMANDS)[number];

/** Statuses in which an agent takes work; the ones whose label follows its workload. */
export const WORKING_STATUSES: readonly AgentStatus[] = ['active', 'idle', 'busy'];
const WORKING: ReadonlySet<AgentStatus> = new Set(WORKING_STATUSES);

/** Statuses during which an agent counts as up for `uptime_percentage`. */
export const UP_STATUSES: readonly AgentStatus[] = WORKING_STATUSES;

/** The offline sweep leaves these alone: already offline, or stopped on purpose. */
export const SWEEP_EXEMPT_STATUSES: readonly AgentStatus[] = ['offline', 'inactive'];

const COMMAND_STATUS: Record<AgentCommandName, AgentStatus> = {
  start: 'active',
  stop: 'inactive',
  restart: 'restarting',
};

/** At capacity an agent is `busy`; below it, a `busy` agent is `idle` again. */
export function withWorkload(status: AgentStatus, running: number, capacity: number): AgentStatus {
  if (!WORKING.has(status)) return status;
  if (running >= capacity) return 'busy';
  return status === 'busy' ? 'idle' : status;
}

/**
 * The status after a heartbeat: what the agent reports (which clears `offline`),
 * except that `inactive` holds until a `start` command, and capacity decides `busy`.
 */
export function statusAfterHeartbeat(
  current: AgentStatus,
  reported: HeartbeatStatus,
  running: number,
  capacity: number,
): AgentStatus {
  if (current === 'inactive') return 'inactive';
  return withWorkload(reported, running, capacity);
}

export function statusAfterCommand(
  command: AgentCommandName,
  running: number,
  capacity: number,
): AgentStatus {
  return withWorkload(COMMAND_STATUS[command], running, capacity);
}

/** `is_active` follows the status: false while offline or stopped. */
export function isActiveStatus(status: AgentStatus): boolean {
  return status !== 'offline' && status !== 'inactive';
}

export interface AvailabilityInput {
  isActive: boolean;
  status: AgentStatus;
  lastHeartbeat: Date | null;
  running: number;
  capacity: number;
}

/** May the orchestrator dispatch a task to this agent now? */
export function isAvailable(
  agent: AvailabilityInput,
  offlineAfterSeconds: number,
  now = Date.now(),
): boolean {
  return (
    agent.isActive &&
    WORKING.has(agent.status) &&
    agent.lastHeartbeat !== null &&
    now - agent.lastHeartbeat.getTime() < offlineAfterSeconds * 1000 &&
    agent.running < agent.capacity
  );
}
