import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/app-errors.js';
import { apiRunContext, type ApiRunRow } from './api-run-context.js';
import { ApiRunsQueries } from './api-runs.queries.js';
import {
  type AgentActivity,
  type PhaseResult,
  WORKFLOW_ID,
  type WorkflowContext,
} from './context.js';
import { toSummary, type WorkflowSummary } from './subforge.mapper.js';
import {
  type AgentUtilization,
  merge,
  SubforgeQueries,
  type SubforgeMetrics,
} from './subforge.queries.js';

/** One workflow as `/api/subforge/workflow/{id}` serves it, whichever its origin. */
export interface WindowWorkflow {
  id: string;
  context: WorkflowContext & { project_name?: string };
  /** The workflow run behind it, whose events are its activities. */
  runId: string | null;
  updatedAt: Date;
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * The dashboard's window on every workflow: SubForge runs imported from
 * `.subforge/` (as imported) and runs started over REST or v1 `execute` (mapped by
 * api-run-context.ts), side by side. Ids: the run directory name, or the run's UUID.
 */
@Injectable()
export class WorkflowWindow {
  constructor(
    private readonly imported: SubforgeQueries,
    private readonly apiRuns: ApiRunsQueries,
  ) {}

  /** Every unfinished workflow and the 100 most recently finished, newest first. */
  async list(): Promise<WorkflowSummary[]> {
    const [rows, runs] = await Promise.all([this.imported.list(), this.apiRuns.listed()]);
    const steps = await this.apiRuns.steps(runs.map((run) => run.id));
    const all = [
      ...rows.map((row) => toSummary(row)),
      ...runs.map((run) => summaryOf(apiRunContext(run, steps.get(run.id)!), run)),
    ].sort(
      (a, b) =>
        (b.created_at ?? '').localeCompare(a.created_at ?? '') ||
        a.workflow_id.localeCompare(b.workflow_id),
    );
    const unfinished = all.filter((w) => w.status === 'active' || w.status === 'paused');
    const finished = all
      .filter((w) => !(w.status === 'active' || w.status === 'paused'))
      .sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? ''))
      .slice(0, 100);
    const listed = new Set([...unfinished, ...finished]);
    return all.filter((w) => listed.has(w));
  }

  async get(id: string): Promise<WindowWorkflow> {
    if (WORKFLOW_ID.test(id)) {
      const row = await this.imported.get(id);
      const order = row.workflowRunId ? await this.imported.phaseOrder(row.workflowRunId) : [];
      return {
        id,
        // The dashboard's id; the file's own project id stays readable as project_name.
        context: {
          ...row.context,
          project_id: id,
          project_name: row.context.project_id,
          phase_results: executionOrder(row.context.phase_results, order),
        },
        runId: row.workflowRunId,
        updatedAt: row.updatedAt,
      };
    }
    const run = await this.apiRuns.find(id);
    if (!run) throw new NotFoundError(`Workflow '${id}'`);
    const steps = (await this.apiRuns.steps([run.id])).get(run.id)!;
    const context = {
      ...apiRunContext(run, steps),
      project_name: run.name,
      agent_activities: await this.imported.activities(id, [], run.id),
    };
    return { id, context, runId: run.id, updatedAt: run.updated_at };
  }

  activities(workflow: WindowWorkflow): Promise<AgentActivity[]> {
    return workflow.runId && !WORKFLOW_ID.test(workflow.id)
      ? Promise.resolve(workflow.context.agent_activities)
      : this.imported.activities(workflow.id, workflow.context.agent_activities, workflow.runId);
  }

  async counts(): Promise<{ total: number; active: number }> {
    const [imported, api] = await Promise.all([this.imported.counts(), this.apiRuns.counts()]);
    return { total: imported.total + api.total, active: imported.active + api.active };
  }

  async metrics(): Promise<SubforgeMetrics> {
    const [imported, api, phases, work, agents, runs] = await Promise.all([
      this.imported.metrics(),
      this.apiRuns.counts(),
      this.apiRuns.phaseCounts(),
      this.apiRuns.agentWork(),
      this.apiRuns.agentNames(),
      this.apiRuns.listed(),
    ]);
    const total = imported.total_workflows + api.total;
    const completed = imported.completed_workflows + api.completed;
    const completedSeconds =
      (imported.average_completion_time ?? 0) * imported.completed_workflows +
      api.completed_seconds;
    const phaseCounts = new Map<string, number>();
    for (const { phase, count } of [...imported.most_common_phases, ...phases])
      phaseCounts.set(phase, (phaseCounts.get(phase) ?? 0) + count);
    const utilization: Record<string, AgentUtilization> = {};
    for (const name of agents)
      utilization[name] = { runs: 0, tasks_assigned: 0, tasks_completed: 0, share_of_tasks: 0 };
    for (const [name, figures] of Object.entries(imported.agent_utilization))
      utilization[name] = { ...figures };
    for (const row of work) {
      const entry = (utilization[row.agent] ??= {
        runs: 0,
        tasks_assigned: 0,
        tasks_completed: 0,
        share_of_tasks: 0,
      });
      entry.runs += row.runs;
      entry.tasks_assigned += row.assigned;
      entry.tasks_completed += row.completed;
    }
    const assigned = Object.values(utilization).reduce((sum, u) => sum + u.tasks_assigned, 0);
    for (const entry of Object.values(utilization))
      entry.share_of_tasks = assigned ? round((entry.tasks_assigned / assigned) * 100) : 0;
    const recent = await this.imported.recentRunActivities(
      runs.map((run) => run.id),
      10,
    );
    return {
      total_workflows: total,
      active_workflows: imported.active_workflows + api.active,
      completed_workflows: completed,
      failed_workflows: imported.failed_workflows + api.failed,
      average_completion_time: completed ? round(completedSeconds / completed) : null,
      success_rate: total ? round((completed / total) * 100) : 0,
      most_common_phases: [...phaseCounts]
        .map(([phase, count]) => ({ phase, count }))
        .sort((a, b) => b.count - a.count || a.phase.localeCompare(b.phase))
        .slice(0, 10),
      agent_utilization: utilization,
      recent_activities: merge(imported.recent_activities, recent).slice(0, 10),
    };
  }
}

function summaryOf(context: WorkflowContext, run: ApiRunRow): WorkflowSummary {
  const { id, error } = run;
  const current = Object.values(context.phase_results).find((p) => p.status === 'in_progress');
  return {
    workflow_id: id,
    run_id: id,
    project_id: id,
    project_name: run.name,
    user_request: context.user_request,
    status: context.status,
    progress_percentage: context.progress_percentage,
    created_at: context.created_at ?? run.created_at.toISOString(),
    updated_at: context.updated_at,
    current_phase: current?.phase ?? null,
    total_phases: context.total_phases,
    completed_phases: context.completed_phases,
    failed_phases: context.failed_phases,
    agent_count: context.deployed_agents.length,
    error,
  };
}

/**
 * An imported run's phases in execution order: the file's order as imported (the
 * mirrored run's steps), else by start time with those not started last.
 */
function executionOrder(
  phases: Record<string, PhaseResult>,
  fileOrder: string[],
): Record<string, PhaseResult> {
  const place = new Map(fileOrder.map((name, index) => [name, index]));
  const rank = (phase: PhaseResult) => place.get(`Phase: ${phase.phase}`.slice(0, 500));
  const sorted = Object.entries(phases).sort(([, a], [, b]) => {
    const [x, y] = [rank(a), rank(b)];
    if (x !== undefined || y !== undefined) return (x ?? Infinity) - (y ?? Infinity);
    if (a.start_time && b.start_time) return a.start_time.localeCompare(b.start_time);
    return a.start_time ? -1 : b.start_time ? 1 : 0;
  });
  return Object.fromEntries(sorted);
}
