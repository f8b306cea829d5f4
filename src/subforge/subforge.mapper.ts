import type { WorkflowContext } from './context.js';
import { currentPhase } from './context.js';
import type { SubforgeRunEntity } from './entities/subforge-run.entity.js';

/** `WorkflowSummary` of reference/original-backend.md §1.8, plus the run's ids and error. */
export interface WorkflowSummary {
  workflow_id: string;
  run_id: string | null;
  /** The id the dashboard uses for the detail routes: the same as workflow_id. */
  project_id: string;
  /** The project as the run names it (SubForge's own `project_id`; an API run's request). */
  project_name: string;
  user_request: string;
  status: string;
  progress_percentage: number;
  created_at: string | null;
  updated_at: string | null;
  current_phase: string | null;
  total_phases: number;
  completed_phases: number;
  failed_phases: number;
  agent_count: number;
  error: string | null;
}

export function toSummary(row: SubforgeRunEntity): WorkflowSummary {
  const context: WorkflowContext = row.context;
  return {
    workflow_id: row.id,
    run_id: row.workflowRunId,
    project_id: row.id,
    project_name: context.project_id,
    user_request: context.user_request,
    status: row.status,
    progress_percentage: context.progress_percentage,
    created_at: context.created_at ?? row.startedAt.toISOString(),
    updated_at: context.updated_at ?? row.updatedAt.toISOString(),
    current_phase: currentPhase(context),
    total_phases: context.total_phases,
    completed_phases: context.completed_phases,
    failed_phases: context.failed_phases,
    agent_count: context.deployed_agents.length,
    error: row.parseError,
  };
}
