import type { Principal } from '../auth/principal.js';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { ConflictError, NotFoundError } from '../common/errors/app-errors.js';
import { type Page, toPage } from '../common/pagination/page.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { type AgentStatus, isActiveStatus, isAvailable, withWorkload } from './agent-status.js';
import { AgentFiguresQuery } from './agent-figures.query.js';
import {
  AgentsRepository,
  type AgentWithRunning,
  type StatusChangeReason,
} from './agents.repository.js';
import { AgentSnapshot, AgentViews, toV2 } from './agent-views.service.js';
import type {
  AgentResponseDto,
  AgentWritableFields,
  CreateAgentDto,
  ListAgentsQuery,
  UpdateAgentDto,
} from './dto/agent.dto.js';
import type { V1UpdateAgentDto } from './dto/agent-v1.dto.js';
import { AgentEntity } from './entities/agent.entity.js';
import { keepMaskedSecrets, readsSecretsOf } from '../agent-definition/agent-secrets.js';

/**
 * An agent whose workload (current task, capacity status) a task change moved, and its
 * status before when the status moved: announced after the change commits.
 */
export interface AgentWorkloadChange {
  agent: AgentEntity;
  previousStatus: AgentStatus | null;
}

/** The fields of a create/update body that map one to one onto the entity. */
export function applyWritableFields(agent: AgentEntity, dto: AgentWritableFields): void {
  if (dto.description !== undefined) agent.description = dto.description;
  if (dto.model !== undefined) agent.model = dto.model;
  if (dto.tools !== undefined) agent.tools = dto.tools;
  if (dto.capabilities !== undefined) agent.capabilities = dto.capabilities;
  if (dto.configuration !== undefined)
    agent.configuration = keepMaskedSecrets(dto.configuration, agent.configuration);
  if (dto.tags !== undefined) agent.tags = dto.tags;
  if (dto.metadata !== undefined) agent.metadata = dto.metadata;
  if (dto.max_concurrent_tasks !== undefined) agent.maxConcurrentTasks = dto.max_concurrent_tasks;
}

/** The agent registry: the v2 API, and the entity-level methods `AgentsV1Service` adapts. */
@Injectable()
export class AgentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AgentsRepository,
    private readonly figures: AgentFiguresQuery,
    private readonly views: AgentViews,
    private readonly events: EventBus,
    private readonly apiKeys: ApiKeysService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async list(query: ListAgentsQuery, reader: Principal): Promise<Page<AgentResponseDto>> {
    const [agents, total] = await this.repository.list(query, {
      skip: query.skip,
      limit: query.limit,
      sortBy: query.sort_by,
      sortOrder: query.sort_order,
    });
    return toPage(
      await this.views.v2List(agents, (id) => readsSecretsOf(reader, id)),
      total,
      query,
    );
  }

  async get(id: string, reader: Principal): Promise<AgentResponseDto> {
    return toV2(await this.views.snapshot(await this.find(id)), readsSecretsOf(reader, id));
  }

  async create(dto: CreateAgentDto): Promise<AgentResponseDto> {
    return toV2(await this.createAgent(dto));
  }

  async update(id: string, dto: UpdateAgentDto): Promise<AgentResponseDto> {
    return toV2(await this.applyUpdate(id, dto));
  }

  async remove(id: string): Promise<void> {
    await this.deleteAgent(id);
  }

  /**
   * Deletes the agent unless it has tasks in progress (409), and revokes its agent
   * keys. Used by DELETE and by the bulk `delete`.
   */
  async deleteAgent(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { running } = await this.lockWithRunningOrFail(manager, id);
      if (running > 0)
        throw new ConflictError(
          `Agent ${id} has ${running} task(s) in progress; finish or cancel them first`,
          { running_tasks: running },
        );
      await manager.delete(AgentEntity, { id });
    });
    await this.apiKeys.revokeForAgent(id);
    await this.events.publish('agent.deleted', { agent_id: id });
  }

  /**
   * Agents that may take a task now (CONTRACT §3 "Available"), least busy first
   * (fewest running tasks relative to capacity, then longest idle).
   */
  async findAvailableAgents(
    options: { agentType?: string; capabilities?: string[] } = {},
  ): Promise<AgentSnapshot[]> {
    const offlineAfter = this.config.agentOfflineAfterSeconds;
    const candidates = await this.repository.dispatchCandidates({
      ...options,
      heartbeatAfter: new Date(Date.now() - offlineAfter * 1000),
    });
    const snapshots = await this.views.snapshots(candidates);
    return snapshots
      .filter(({ agent, figures }) =>
        isAvailable(
          {
            isActive: agent.isActive,
            status: agent.status,
            lastHeartbeat: agent.lastHeartbeat,
            running: figures.running,
            capacity: agent.maxConcurrentTasks,
          },
          offlineAfter,
        ),
      )
      .sort(
        (a, b) =>
          a.figures.running / a.agent.maxConcurrentTasks -
            b.figures.running / b.agent.maxConcurrentTasks ||
          a.figures.running - b.figures.running ||
          (a.agent.lastActivity?.getTime() ?? 0) - (b.agent.lastActivity?.getTime() ?? 0),
      );
  }

  /**
   * Re-applies the capacity rule after the agent's running tasks changed (tasks
   * module, inside its transaction, after locking the task), and follows the task it
   * works on. Returns the agent when something changed, for announcing after commit.
   */
  async refreshWorkload(
    manager: EntityManager,
    agentId: string,
    current?: { started: { id: string; title: string } } | { finished: string },
  ): Promise<AgentWorkloadChange | null> {
    const locked = await this.repository.lockWithRunning(manager, agentId);
    if (!locked) return null;
    const { agent, running } = locked;
    let changed = false;
    if (current && 'started' in current) {
      agent.currentTaskId = current.started.id;
      agent.currentTaskTitle = current.started.title;
      changed = true;
    } else if (current && agent.currentTaskId === current.finished) {
      agent.currentTaskId = null;
      agent.currentTaskTitle = null;
      changed = true;
    }
    const previous = agent.status;
    const next = withWorkload(previous, running, agent.maxConcurrentTasks);
    const moved = next !== previous;
    if (!moved && !changed) return null;
    agent.status = next;
    agent.isActive = isActiveStatus(next);
    agent.lastActivity = new Date();
    await this.repository.saveWorkloads(
      manager,
      [agent],
      moved ? [{ agentId: agent.id, status: next, previous }] : [],
      agent.lastActivity,
    );
    return { agent, previousStatus: moved ? previous : null };
  }

  /**
   * Tasks just started on agents (many at once, by the orchestrator): each agent's
   * current task and the capacity rule, as `refreshWorkload` does for one, in a few
   * queries for all. The caller holds the tasks' rows. Returns the agents for
   * announcing after commit.
   */
  async recordAssignments(
    manager: EntityManager,
    assignments: { agentId: string; taskId: string; title: string }[],
  ): Promise<AgentWorkloadChange[]> {
    const latest = new Map(assignments.map((assignment) => [assignment.agentId, assignment]));
    const agents = await this.repository.lockMany(manager, [...latest.keys()]);
    const running = await this.figures.runningTasksOf([...latest.keys()], manager);
    const now = new Date();
    const moved: { agentId: string; status: AgentStatus; previous: AgentStatus }[] = [];
    const changes = agents.map((agent) => {
      const started = latest.get(agent.id)!;
      const previous = agent.status;
      agent.currentTaskId = started.taskId;
      agent.currentTaskTitle = started.title;
      agent.status = withWorkload(previous, running.get(agent.id) ?? 0, agent.maxConcurrentTasks);
      agent.isActive = isActiveStatus(agent.status);
      agent.lastActivity = now;
      if (agent.status !== previous)
        moved.push({ agentId: agent.id, status: agent.status, previous });
      return { agent, previousStatus: agent.status !== previous ? previous : null };
    });
    await this.repository.saveWorkloads(manager, agents, moved, now);
    return changes;
  }

  /**
   * Announces workload changes (tasks started or finished on agents), as status
   * changes where the status moved, in one batch. Task hooks already tell of
   * capacity freed by a task, so agent hooks stay quiet here.
   */
  async announceWorkloads(changes: AgentWorkloadChange[]): Promise<void> {
    await this.views.announceMany(
      changes.map(({ agent, previousStatus }) => ({
        agent,
        change: previousStatus ? null : 'updated',
        previousStatus,
      })),
    );
  }

  /** Inside a transaction pass its manager: a second pool connection could wait on the first. */
  async find(id: string, manager?: EntityManager): Promise<AgentEntity> {
    const agent = await this.repository.findById(id, manager);
    if (!agent) throw new NotFoundError('Agent', id);
    return agent;
  }

  async lockOrFail(manager: EntityManager, id: string): Promise<AgentEntity> {
    const agent = await this.repository.lock(manager, id);
    if (!agent) throw new NotFoundError('Agent', id);
    return agent;
  }

  /** `lockOrFail`, with how many tasks the agent is running: one statement. */
  async lockWithRunningOrFail(manager: EntityManager, id: string): Promise<AgentWithRunning> {
    const locked = await this.repository.lockWithRunning(manager, id);
    if (!locked) throw new NotFoundError('Agent', id);
    return locked;
  }

  async createAgent(dto: CreateAgentDto): Promise<AgentSnapshot> {
    const agent = await this.dataSource.transaction(async (manager) => {
      await this.assertUniqueName(manager, dto.name, dto.agent_type);
      const agent = manager.create(AgentEntity, {
        name: dto.name,
        agentType: dto.agent_type,
      });
      applyWritableFields(agent, dto);
      agent.status = withWorkload(dto.status ?? 'idle', 0, agent.maxConcurrentTasks ?? 1);
      agent.isActive = isActiveStatus(agent.status);
      const saved = await manager.save(agent);
      await this.repository.recordStatus(manager, saved.id, saved.status, null, 'created');
      return saved;
    });
    const snapshot = await this.views.snapshot(agent);
    await this.views.announce(snapshot, 'created');
    return snapshot;
  }

  /** Applies an update body (v2 fields, plus v1's status and current task); also the bulk `update`. */
  async applyUpdate(id: string, dto: V1UpdateAgentDto): Promise<AgentSnapshot> {
    let previousStatus: AgentStatus | null = null;
    const agent = await this.dataSource.transaction(async (manager) => {
      const { agent, running } = await this.lockWithRunningOrFail(manager, id);
      const name = dto.name ?? agent.name;
      const agentType = dto.agent_type ?? agent.agentType;
      if (name !== agent.name || agentType !== agent.agentType)
        await this.assertUniqueName(manager, name, agentType, id);
      agent.name = name;
      agent.agentType = agentType;
      applyWritableFields(agent, dto);
      if (dto.current_task_id !== undefined) agent.currentTaskId = dto.current_task_id;
      if (dto.current_task_title !== undefined) agent.currentTaskTitle = dto.current_task_title;
      const next = withWorkload(dto.status ?? agent.status, running, agent.maxConcurrentTasks);
      const reason: StatusChangeReason = dto.status ? 'update' : 'workload';
      previousStatus = await this.repository.transition(manager, agent, next, reason);
      agent.lastActivity = new Date();
      return manager.save(agent);
    });
    const snapshot = await this.views.snapshot(agent);
    await this.views.announce(snapshot, 'updated', previousStatus);
    return snapshot;
  }

  private async assertUniqueName(
    manager: EntityManager,
    name: string,
    agentType: string,
    exceptId?: string,
  ): Promise<void> {
    const clash = await manager.findOne(AgentEntity, {
      where: { name, agentType },
      select: { id: true },
    });
    if (clash && clash.id !== exceptId)
      throw new ConflictError(`An agent named "${name}" of type "${agentType}" already exists`, {
        agent_id: clash.id,
      });
  }
}
