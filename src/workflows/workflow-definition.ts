import type { FieldError } from '../common/errors/app-errors.js';
import { findCycle } from '../tasks/task-graph.js';

export const FAILURE_POLICIES = ['fail_fast', 'continue'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

export const DEFAULT_TIMEOUT_SECONDS = 300;
export const DEFAULT_MAX_RETRIES = 3;

export interface TaskTemplate {
  title: string;
  description?: string | null;
  priority?: 'low' | 'medium' | 'high' | 'critical';
  task_type?: string | null;
  metadata?: Record<string, unknown>;
  estimated_duration_minutes?: number | null;
}

/** One step of a workflow definition (CONTRACT §3 "Workflows"), as stored and shown. */
export interface WorkflowStep {
  key: string;
  name: string;
  description: string | null;
  agent_id: string | null;
  agent_type: string | null;
  required_capabilities: string[];
  task_template: TaskTemplate;
  depends_on: string[];
  timeout_seconds: number;
  max_retries: number;
}

export interface DefinitionCheck {
  errors: FieldError[];
  /** Step key → its place in a topological order (dependencies first), when valid. */
  order: Map<string, number>;
}

/**
 * Checks a definition's graph: unique keys, `depends_on` naming known other steps,
 * no cycle, and one way of choosing the agent. Each problem names the step path
 * (`steps.2.depends_on.0`), so a client can point at the field.
 */
export function checkDefinition(steps: readonly WorkflowStep[]): DefinitionCheck {
  const errors: FieldError[] = [];
  const firstIndex = new Map<string, number>();
  steps.forEach((step, index) => {
    const seen = firstIndex.get(step.key);
    if (seen !== undefined)
      errors.push({ field: `steps.${index}.key`, message: `duplicates the key of steps.${seen}` });
    else firstIndex.set(step.key, index);
    if (step.agent_id && (step.agent_type || step.required_capabilities.length))
      errors.push({
        field: `steps.${index}.agent_id`,
        message: 'give either agent_id or agent_type/required_capabilities, not both',
      });
  });
  steps.forEach((step, index) => {
    const repeated = new Set<string>();
    step.depends_on.forEach((dependency, position) => {
      const field = `steps.${index}.depends_on.${position}`;
      if (dependency === step.key)
        errors.push({ field, message: 'a step cannot depend on itself' });
      else if (!firstIndex.has(dependency))
        errors.push({ field, message: `names no step of this workflow ("${dependency}")` });
      else if (repeated.has(dependency)) errors.push({ field, message: `repeats "${dependency}"` });
      repeated.add(dependency);
    });
  });
  if (errors.length) return { errors, order: new Map() };

  const graph = new Map(steps.map((step) => [step.key, step.depends_on]));
  const cycle = findCycle(graph);
  if (cycle) {
    const index = firstIndex.get(cycle[0])!;
    errors.push({
      field: `steps.${index}.depends_on`,
      message: `the dependencies form a cycle: ${cycle.join(' -> ')}`,
    });
    return { errors, order: new Map() };
  }
  return { errors, order: topologicalOrder(steps) };
}

/** Kahn's algorithm, stable: among ready steps, the one defined first comes first. */
export function topologicalOrder(steps: readonly WorkflowStep[]): Map<string, number> {
  const remaining = new Map(steps.map((step) => [step.key, new Set(step.depends_on)]));
  const dependents = new Map<string, string[]>(steps.map((step) => [step.key, []]));
  for (const step of steps)
    for (const dependency of step.depends_on) dependents.get(dependency)?.push(step.key);
  const definedAt = new Map(steps.map((step, index) => [step.key, index]));
  const ready = steps.filter((step) => step.depends_on.length === 0).map((step) => step.key);
  const order = new Map<string, number>();
  while (ready.length) {
    ready.sort((a, b) => definedAt.get(a)! - definedAt.get(b)!);
    const key = ready.shift()!;
    order.set(key, order.size);
    for (const dependent of dependents.get(key)!) {
      const waiting = remaining.get(dependent)!;
      waiting.delete(key);
      if (waiting.size === 0) ready.push(dependent);
    }
  }
  return order;
}

/** Fills the defaults of the contract (timeout 300 s, 3 retries, no dependencies). */
export type StepInput = Partial<WorkflowStep> &
  Pick<WorkflowStep, 'key' | 'name' | 'task_template'>;

export function withStepDefaults(step: StepInput): WorkflowStep {
  return {
    key: step.key,
    name: step.name,
    description: step.description ?? null,
    agent_id: step.agent_id ?? null,
    agent_type: step.agent_type ?? null,
    required_capabilities: step.required_capabilities ?? [],
    task_template: step.task_template,
    depends_on: step.depends_on ?? [],
    timeout_seconds: step.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS,
    max_retries: step.max_retries ?? DEFAULT_MAX_RETRIES,
  };
}
