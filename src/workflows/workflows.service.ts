import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { BadRequestError, ConflictError, NotFoundError } from '../common/errors/app-errors.js';
import type { FieldError } from '../common/errors/app-errors.js';
import { type Page, toPage } from '../common/pagination/page.js';
import { EventBus } from '../realtime/event-bus.service.js';
import type {
  AssignedAgentInputDto,
  CreateWorkflowDto,
  ExecuteAcceptedDto,
  ExecuteWorkflowDto,
  ListWorkflowsQuery,
  UpdateWorkflowDto,
  WorkflowResponseDto,
  WorkflowWritableFields,
} from './dto/workflow.dto.js';
import type { WorkflowStepDto } from './dto/workflow-step.dto.js';
import { type AssignedAgent, WorkflowEntity } from './entities/workflow.entity.js';
import { RunsRepository } from './runs.repository.js';
import { checkDefinition, withStepDefaults, type WorkflowStep } from './workflow-definition.js';
import { NO_FIGURES, toWorkflowResponse, type WorkflowFigures } from './workflow.mapper.js';
import { WorkflowRunsService } from './workflow-runs.service.js';
import { WorkflowsRepository } from './workflows.repository.js';

/** A workflow with what its runs say about it. */
export interface WorkflowSnapshot {
  workflow: WorkflowEntity;
  figures: WorkflowFigures;
}

/** Workflow definitions over one store for v1 and v2: validation, writes, reads, events. */
@Injectable()
export class WorkflowsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: WorkflowsRepository,
    private readonly runs: RunsRepository,
    private readonly runService: WorkflowRunsService,
    private readonly events: EventBus,
  ) {}

  async list(query: ListWorkflowsQuery): Promise<Page<WorkflowResponseDto>> {
    const [workflows, total] = await this.repository.list(query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: query.sort_by,
      sortOrder: query.sort_order,
    });
    return toPage((await this.snapshots(workflows)).map(toV2), total, query);
  }

  async get(id: string): Promise<WorkflowResponseDto> {
    return toV2(await this.snapshot(await this.find(id)));
  }

  async create(
    dto: CreateWorkflowDto,
    overrides: Partial<WorkflowEntity> = {},
  ): Promise<WorkflowSnapshot> {
    const workflow = this.dataSource.manager.create(WorkflowEntity, {
      name: dto.name,
      status: dto.status ?? 'active',
    });
    await this.applyWritable(workflow, dto);
    Object.assign(workflow, overrides);
    const saved = await this.dataSource.manager.save(workflow);
    return this.announce(saved, 'workflow.created');
  }

  async createV2(dto: CreateWorkflowDto): Promise<WorkflowResponseDto> {
    return toV2(await this.create(dto));
  }

  /** Applies the fields sent; a new definition applies to runs made from now on. */
  async update(
    id: string,
    dto: UpdateWorkflowDto,
    extra?: (workflow: WorkflowEntity) => void,
  ): Promise<WorkflowSnapshot> {
    const workflow = await this.dataSource.transaction(async (manager) => {
      const workflow = await this.repository.lock(manager, id);
      if (!workflow) throw new NotFoundError('Workflow', id);
      if (dto.name !== undefined) workflow.name = dto.name;
      if (dto.status !== undefined) workflow.status = dto.status;
      // Its checks read through this transaction: a second connection while holding one
      // and the row would starve the pool under concurrent updates.
      await this.applyWritable(workflow, dto, manager);
      extra?.(workflow);
      return manager.save(workflow);
    });
    return this.announce(workflow, 'workflow.updated');
  }

  async updateV2(id: string, dto: UpdateWorkflowDto): Promise<WorkflowResponseDto> {
    return toV2(await this.update(id, dto));
  }

  /** Deletes a workflow and its finished runs; one with an unfinished run is in use (409). */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const workflow = await this.repository.lock(manager, id);
      if (!workflow) throw new NotFoundError('Workflow', id);
      const unfinished = await this.runs.countUnfinished(manager, id);
      if (unfinished)
        throw new ConflictError(
          `Workflow ${id} has ${unfinished} unfinished run(s); cancel them or let them finish first`,
          { unfinished_runs: unfinished },
        );
      await manager.delete(WorkflowEntity, { id });
    });
    await this.events.publish('workflow.deleted', { workflow_id: id });
  }

  async execute(
    id: string,
    dto: ExecuteWorkflowDto,
    actor: Principal,
  ): Promise<ExecuteAcceptedDto> {
    const run = await this.runService.execute(id, dto, actor, { trigger: 'api' });
    return { run_id: run.id, status: run.status };
  }

  async find(id: string): Promise<WorkflowEntity> {
    const workflow = await this.repository.findById(id);
    if (!workflow) throw new NotFoundError('Workflow', id);
    return workflow;
  }

  async snapshot(workflow: WorkflowEntity): Promise<WorkflowSnapshot> {
    return (await this.snapshots([workflow]))[0];
  }

  async snapshots(workflows: WorkflowEntity[]): Promise<WorkflowSnapshot[]> {
    const figures = await this.repository.figures(workflows.map((workflow) => workflow.id));
    return workflows.map((workflow) => ({
      workflow,
      figures: figures.get(workflow.id) ?? NO_FIGURES,
    }));
  }

  async announce(
    workflow: WorkflowEntity,
    event: 'workflow.created' | 'workflow.updated',
  ): Promise<WorkflowSnapshot> {
    const snapshot = await this.snapshot(workflow);
    await this.events.publish(event, { workflow: { ...toV2(snapshot) } });
    return snapshot;
  }

  /** Names and checks the agents sent (each must exist; 400 naming the entry). */
  async resolveAgents(
    agents: AssignedAgentInputDto[],
    field: string,
    manager?: EntityManager,
  ): Promise<AssignedAgent[]> {
    const names = await this.repository.agentNames(
      [...new Set(agents.map((agent) => agent.id))],
      manager,
    );
    const errors: FieldError[] = [];
    agents.forEach((agent, index) => {
      if (!names.has(agent.id))
        errors.push({ field: `${field}.${index}.id`, message: `Agent ${agent.id} not found` });
    });
    if (errors.length)
      throw new BadRequestError(errors.map((error) => error.message).join('; '), errors);
    const seen = new Set<string>();
    return agents
      .filter((agent) => !seen.has(agent.id) && seen.add(agent.id))
      .map((agent) => ({ id: agent.id, name: names.get(agent.id)! }));
  }

  private async applyWritable(
    workflow: WorkflowEntity,
    dto: WorkflowWritableFields,
    manager?: EntityManager,
  ): Promise<void> {
    if (dto.description !== undefined) workflow.description = dto.description;
    if (dto.workflow_type !== undefined) workflow.workflowType = dto.workflow_type;
    if (dto.project_id !== undefined) workflow.projectId = dto.project_id;
    if (dto.project_name !== undefined) workflow.projectName = dto.project_name;
    if (dto.configuration !== undefined) workflow.configuration = dto.configuration;
    if (dto.parameters !== undefined) workflow.parameters = dto.parameters;
    if (dto.tags !== undefined) workflow.tags = dto.tags;
    if (dto.metadata !== undefined) workflow.metadata = dto.metadata;
    if (dto.is_template !== undefined) workflow.isTemplate = dto.is_template;
    if (dto.requires_approval !== undefined) workflow.requiresApproval = dto.requires_approval;
    if (dto.failure_policy !== undefined) workflow.failurePolicy = dto.failure_policy;
    if (dto.estimated_duration_hours !== undefined)
      workflow.estimatedDurationHours = dto.estimated_duration_hours;
    if (dto.assigned_agents !== undefined)
      workflow.assignedAgents = await this.resolveAgents(
        dto.assigned_agents,
        'assigned_agents',
        manager,
      );
    if (dto.steps !== undefined) workflow.steps = await this.validSteps(dto.steps, manager);
  }

  /** The definition checks of CONTRACT §3: 400 with details naming the step path. */
  private async validSteps(
    input: WorkflowStepDto[],
    manager?: EntityManager,
  ): Promise<WorkflowStep[]> {
    const steps = input.map((step) => withStepDefaults({ ...step }));
    const { errors } = checkDefinition(steps);
    const named = [...new Set(steps.map((step) => step.agent_id).filter((id) => id !== null))];
    const agents = await this.repository.agentNames(named, manager);
    steps.forEach((step, index) => {
      if (step.agent_id && !agents.has(step.agent_id))
        errors.push({
          field: `steps.${index}.agent_id`,
          message: `Agent ${step.agent_id} not found`,
        });
    });
    if (errors.length)
      throw new BadRequestError(
        `Invalid workflow definition: ${[...new Set(errors.map((error) => error.field))].join(', ')}`,
        errors,
      );
    return steps;
  }
}

export const toV2 = (snapshot: WorkflowSnapshot): WorkflowResponseDto =>
  toWorkflowResponse(snapshot.workflow, snapshot.figures);
