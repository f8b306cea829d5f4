import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { ConflictError } from '../common/errors/app-errors.js';
import { iso } from '../common/time.js';
import type { V1TaskResponseDto } from '../tasks/dto/task.dto.js';
import { TasksV1Service } from '../tasks/tasks-v1.service.js';
import type {
  V1AddAgentDto,
  V1CreateWorkflowDto,
  V1ExecuteDto,
  V1ListWorkflowsQuery,
  V1TemplateDto,
  V1UpdateWorkflowDto,
  V1WorkflowProgressDto,
  V1WorkflowStatusDto,
} from './dto/workflow-v1.dto.js';
import type {
  V1ExecutionDto,
  WorkflowV1MessageDto,
  V1WorkflowResponseDto,
  V1WorkflowStatsDto,
} from './dto/workflow-v1-responses.dto.js';
import type { ReportedWorkflowFigures, WorkflowEntity } from './entities/workflow.entity.js';
import { RunsRepository } from './runs.repository.js';
import { progressOf } from './run-state.js';
import { runSuccessRate, toV1WorkflowResponse } from './workflow.mapper.js';
import { WorkflowRunsService } from './workflow-runs.service.js';
import { type WorkflowSnapshot, WorkflowsService } from './workflows.service.js';
import { WorkflowsRepository } from './workflows.repository.js';

const REPORTABLE = [
  'progress_percentage',
  'total_tasks',
  'completed_tasks',
  'failed_tasks',
  'success_rate',
  'quality_score',
  'efficiency_score',
  'actual_duration_hours',
  'agent_utilization',
] as const;

const round2 = (value: number) => Math.round(value * 100) / 100;

const toV1 = (snapshot: WorkflowSnapshot): V1WorkflowResponseDto =>
  toV1WorkflowResponse(snapshot.workflow, snapshot.figures);

/** Keeps the figures a v1 client sent beside the derived ones, never over them. */
function report(workflow: WorkflowEntity, figures: Partial<ReportedWorkflowFigures>): void {
  const sent = Object.fromEntries(
    REPORTABLE.filter((field) => figures[field] !== undefined).map((field) => [
      field,
      figures[field],
    ]),
  );
  if (!Object.keys(sent).length) return;
  workflow.reportedFigures = {
    ...(workflow.reportedFigures ?? {}),
    ...sent,
    reported_at: new Date().toISOString(),
  };
}

/** The original v1 workflow routes over the same store, runs and orchestration. */
@Injectable()
export class WorkflowsV1Service {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly repository: WorkflowsRepository,
    private readonly runs: RunsRepository,
    private readonly runService: WorkflowRunsService,
    private readonly taskService: TasksV1Service,
  ) {}

  async list(query: V1ListWorkflowsQuery): Promise<V1WorkflowResponseDto[]> {
    const workflows = await this.repository.rows(query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: 'created_at',
      sortOrder: 'desc',
    });
    return (await this.workflows.snapshots(workflows)).map(toV1);
  }

  async get(id: string): Promise<V1WorkflowResponseDto> {
    return toV1(await this.workflows.snapshot(await this.workflows.find(id)));
  }

  async create(dto: V1CreateWorkflowDto): Promise<V1WorkflowResponseDto> {
    const { scheduled_at: _ignored, ...body } = dto;
    return toV1(await this.workflows.create(body));
  }

  /** The original WorkflowTemplate: an inactive template workflow. */
  async createTemplate(dto: V1TemplateDto): Promise<V1WorkflowResponseDto> {
    const { default_agents, ...body } = dto;
    return toV1(
      await this.workflows.create({
        ...body,
        assigned_agents: default_agents,
        is_template: true,
        status: 'inactive',
      }),
    );
  }

  async update(id: string, dto: V1UpdateWorkflowDto): Promise<V1WorkflowResponseDto> {
    const { scheduled_at: _ignored, is_paused, ...body } = dto;
    const status =
      is_paused === undefined ? body.status : is_paused ? 'paused' : (body.status ?? 'active');
    // The update checks the body first: a refused request leaves the runs as they were.
    const updated = await this.workflows.update(id, { ...body, status }, (workflow) =>
      report(workflow, dto),
    );
    if (is_paused === undefined) return toV1(updated);
    await this.pauseRuns(id, is_paused);
    return toV1(await this.workflows.snapshot(await this.workflows.find(id)));
  }

  /**
   * v1 PATCH /status: sets the stored status, and carries it to the runs: `paused`
   * pauses running runs, `active` resumes paused ones, `cancelled` cancels unfinished ones.
   */
  async setStatus(id: string, dto: V1WorkflowStatusDto): Promise<V1WorkflowResponseDto> {
    await this.workflows.find(id);
    if (dto.status === 'paused') await this.pauseRuns(id, true);
    if (dto.status === 'active') await this.pauseRuns(id, false);
    if (dto.status === 'cancelled')
      for (const run of await this.runs.unfinishedOf(id)) await this.runService.cancel(run.id);
    return toV1(
      await this.workflows.update(id, { status: dto.status }, (workflow) =>
        report(workflow, { progress_percentage: dto.progress_percentage }),
      ),
    );
  }

  /** v1 PATCH /progress: reported figures only; the derived progress is never overwritten. */
  async reportProgress(id: string, dto: V1WorkflowProgressDto): Promise<V1WorkflowResponseDto> {
    return toV1(await this.workflows.update(id, {}, (workflow) => report(workflow, dto)));
  }

  async addAgent(id: string, dto: V1AddAgentDto): Promise<V1WorkflowResponseDto> {
    const [agent] = await this.workflows.resolveAgents([{ id: dto.agent_id }], 'agent_id');
    return toV1(
      await this.workflows.update(id, {}, (workflow) => {
        if (!workflow.assignedAgents.some((entry) => entry.id === agent.id))
          workflow.assignedAgents = [...workflow.assignedAgents, agent];
      }),
    );
  }

  async removeAgent(id: string, agentId: string): Promise<V1WorkflowResponseDto> {
    return toV1(
      await this.workflows.update(id, {}, (workflow) => {
        workflow.assignedAgents = workflow.assignedAgents.filter((entry) => entry.id !== agentId);
      }),
    );
  }

  async tasks(id: string): Promise<V1TaskResponseDto[]> {
    await this.workflows.find(id);
    return this.taskService.list({ workflow_id: id, skip: 0, limit: 1000 });
  }

  /** v1 execute: a real run (assigned_agents, when sent, replace the workflow's list first). */
  async execute(id: string, dto: V1ExecuteDto, actor: Principal): Promise<V1ExecutionDto> {
    if (dto.assigned_agents !== undefined)
      await this.workflows.update(id, { assigned_agents: dto.assigned_agents });
    const run = await this.runService.execute(
      id,
      { parameters: dto.parameters, scheduled_at: dto.scheduled_at },
      actor,
      { trigger: 'api' },
    );
    return {
      message:
        run.status === 'scheduled' ? 'Workflow execution scheduled' : 'Workflow execution started',
      workflow_id: id,
      run_id: run.id,
      status: run.status,
      scheduled_at: iso(run.scheduledAt),
    };
  }

  async remove(id: string): Promise<WorkflowV1MessageDto> {
    await this.workflows.remove(id);
    return { message: 'Workflow deleted successfully' };
  }

  async statsSummary(): Promise<V1WorkflowStatsDto> {
    const rows = await this.repository.derivedStatuses();
    const figures = await this.repository.figures(rows.map((row) => row.id));
    const count = (...statuses: string[]) =>
      rows.filter((row) => statuses.includes(row.status)).length;
    const mean = (values: number[]) =>
      values.length ? round2(values.reduce((a, b) => a + b, 0) / values.length) : 0;
    const all = [...figures.values()];
    return {
      total_workflows: rows.length,
      active_workflows: count('active', 'running', 'scheduled'),
      paused_workflows: count('paused'),
      completed_workflows: count('completed'),
      failed_workflows: count('failed'),
      template_workflows: rows.filter((row) => row.is_template).length,
      avg_progress: mean(all.map((f) => (f.latest ? progressOf(f.latest.counters) : 0))),
      avg_success_rate: mean(all.map((f) => runSuccessRate(f.runs))),
    };
  }

  /** Pauses running runs (or resumes paused ones); a run that moved on meanwhile is left as it is. */
  private async pauseRuns(id: string, pause: boolean): Promise<void> {
    for (const run of await this.runs.unfinishedOf(id)) {
      const move =
        pause && run.status === 'running'
          ? this.runService.pause(run.id)
          : !pause && run.status === 'paused'
            ? this.runService.resume(run.id)
            : null;
      await move?.catch((error: unknown) => {
        if (!(error instanceof ConflictError)) throw error;
      });
    }
  }
}
