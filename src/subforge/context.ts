/**
 * SubForge's `workflow_context.json` (reference/original-backend.md §1.8), read
 * leniently: missing fields take their defaults, wrong types are dropped, and the
 * derived figures (status when absent, phase counts, progress) are computed. Pure.
 */

export const SUBFORGE_STATUSES = ['active', 'completed', 'failed', 'paused', 'cancelled'] as const;
export type SubforgeStatus = (typeof SUBFORGE_STATUSES)[number];
export const PHASE_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'skipped'] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

export interface PhaseResult {
  phase: string;
  status: PhaseStatus;
  duration: number | null;
  start_time: string | null;
  end_time: string | null;
  outputs: Record<string, unknown>;
  errors: string[];
  warnings: string[];
  metadata: Record<string, unknown>;
}

export interface AgentTemplate {
  name: string;
  role: string | null;
  specialization: string | null;
  domain: string | null;
  description: string | null;
  tools: string[];
  model: string;
  priority: number;
  execution_instructions: string | null;
  context_requirements: string[];
}

export interface SubforgeTask {
  id: string;
  title: string;
  description: string | null;
  status: string;
  priority: number;
  phase: string | null;
  assigned_agent: string | null;
  created_at: string | null;
  updated_at: string | null;
  completed_at: string | null;
  duration: number | null;
  dependencies: string[];
  tags: string[];
  metadata: Record<string, unknown>;
}

export interface AgentActivity {
  agent_id: string | null;
  agent_name: string | null;
  activity_type: string;
  description: string;
  timestamp: string | null;
  duration: number | null;
  status: string;
  task_id: string | null;
  workflow_id: string | null;
  metadata: Record<string, unknown>;
}

export interface WorkflowContext {
  project_id: string;
  user_request: string;
  project_path: string | null;
  communication_dir: string | null;
  status: SubforgeStatus;
  created_at: string | null;
  updated_at: string | null;
  completed_at: string | null;
  phase_results: Record<string, PhaseResult>;
  project_profile: Record<string, unknown> | null;
  recommended_agents: AgentTemplate[];
  deployed_agents: AgentTemplate[];
  tasks: SubforgeTask[];
  agent_activities: AgentActivity[];
  total_phases: number;
  completed_phases: number;
  failed_phases: number;
  progress_percentage: number;
  metadata: Record<string, unknown>;
  configuration: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null =>
  typeof value === 'string' && value.length ? value : null;
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const obj = (value: unknown): Json => (isObject(value) ? value : {});
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
/** Timestamps as ISO strings (UTC with Z) when they parse, else null. */
const time = (value: unknown): string | null => {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const parsed = new Date(
    typeof value === 'string' && !/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? `${value}Z` : value,
  );
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
};
const oneOf = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T =>
  typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fallback;

function phase(name: string, raw: Json): PhaseResult {
  return {
    phase: str(raw.phase) ?? name,
    status: oneOf(raw.status, PHASE_STATUSES, 'pending'),
    duration: num(raw.duration),
    start_time: time(raw.start_time),
    end_time: time(raw.end_time),
    outputs: obj(raw.outputs),
    errors: strings(raw.errors),
    warnings: strings(raw.warnings),
    metadata: obj(raw.metadata),
  };
}

function agentTemplate(raw: Json): AgentTemplate | null {
  const name = str(raw.name);
  if (!name) return null;
  return {
    name,
    role: str(raw.role),
    specialization: str(raw.specialization),
    domain: str(raw.domain),
    description: str(raw.description),
    tools: strings(raw.tools),
    model: str(raw.model) ?? 'claude-3-sonnet-20240229',
    priority: num(raw.priority) ?? 1,
    execution_instructions: str(raw.execution_instructions),
    context_requirements: strings(raw.context_requirements),
  };
}

function task(raw: Json, phaseName: string | null, index: number): SubforgeTask {
  return {
    id: str(raw.id) ?? `${phaseName ?? 'task'}-${index + 1}`,
    title: str(raw.title) ?? str(raw.name) ?? `Task ${index + 1}`,
    description: str(raw.description),
    status: str(raw.status) ?? 'pending',
    priority: num(raw.priority) ?? 1,
    phase: str(raw.phase) ?? phaseName,
    assigned_agent: str(raw.assigned_agent),
    created_at: time(raw.created_at),
    updated_at: time(raw.updated_at),
    completed_at: time(raw.completed_at),
    duration: num(raw.duration),
    dependencies: strings(raw.dependencies),
    tags: strings(raw.tags),
    metadata: obj(raw.metadata),
  };
}

function activity(raw: Json, workflowId: string): AgentActivity {
  return {
    agent_id: str(raw.agent_id),
    agent_name: str(raw.agent_name),
    activity_type: str(raw.activity_type) ?? 'activity',
    description: str(raw.description) ?? '',
    timestamp: time(raw.timestamp),
    duration: num(raw.duration),
    status: str(raw.status) ?? 'active',
    task_id: str(raw.task_id),
    workflow_id: str(raw.workflow_id) ?? workflowId,
    metadata: obj(raw.metadata),
  };
}

/** The original's rule when the file says nothing: failed > in progress > all completed > active. */
export function deriveStatus(phases: PhaseResult[]): SubforgeStatus {
  if (phases.some((p) => p.status === 'failed')) return 'failed';
  if (phases.some((p) => p.status === 'in_progress')) return 'active';
  if (phases.length && phases.every((p) => p.status === 'completed' || p.status === 'skipped'))
    return 'completed';
  return 'active';
}

/** Reads a parsed `workflow_context.json`; `workflowId` is its directory name. */
export function readContext(raw: unknown, workflowId: string): WorkflowContext {
  const root = obj(raw);
  const phases = Object.entries(obj(root.phase_results))
    .filter(([, value]) => isObject(value))
    .map(([name, value]) => [name, phase(name, value as Json)] as const);
  const phaseList = phases.map(([, value]) => value);
  const completed = phaseList.filter((p) => p.status === 'completed').length;
  const failed = phaseList.filter((p) => p.status === 'failed').length;
  // Tasks at the top level and in the phases' outputs (the original read the latter), once each.
  const tasks = new Map<string, SubforgeTask>();
  objects(root.tasks).forEach((entry, index) => {
    const parsed = task(entry, null, index);
    tasks.set(parsed.id, parsed);
  });
  for (const [name, value] of phases) {
    objects(value.outputs.tasks).forEach((entry, index) => {
      const parsed = task(entry, name, index);
      if (!tasks.has(parsed.id)) tasks.set(parsed.id, parsed);
    });
  }
  return {
    project_id: str(root.project_id) ?? workflowId,
    user_request: str(root.user_request) ?? '',
    project_path: str(root.project_path),
    communication_dir: str(root.communication_dir),
    status: oneOf(root.status, SUBFORGE_STATUSES, deriveStatus(phaseList)),
    created_at: time(root.created_at),
    updated_at: time(root.updated_at),
    completed_at: time(root.completed_at),
    phase_results: Object.fromEntries(phases),
    project_profile: isObject(root.project_profile) ? root.project_profile : null,
    recommended_agents: objects(root.recommended_agents)
      .map(agentTemplate)
      .filter((a): a is AgentTemplate => !!a),
    deployed_agents: objects(root.deployed_agents)
      .map(agentTemplate)
      .filter((a): a is AgentTemplate => !!a),
    tasks: [...tasks.values()],
    agent_activities: objects(root.agent_activities).map((entry) => activity(entry, workflowId)),
    total_phases: phaseList.length,
    completed_phases: completed,
    failed_phases: failed,
    progress_percentage: phaseList.length
      ? Math.round((completed / phaseList.length) * 10_000) / 100
      : 0,
    metadata: obj(root.metadata),
    configuration: obj(root.configuration),
  };
}

/** The first phase in progress, as the original's `current_phase`. */
export function currentPhase(context: WorkflowContext): string | null {
  return (
    Object.values(context.phase_results).find((p) => p.status === 'in_progress')?.phase ?? null
  );
}

export const WORKFLOW_ID = /^subforge_[A-Za-z0-9_-]+$/;
