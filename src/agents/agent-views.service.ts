import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Subscribers,
  SUBSCRIBERS_SHUTDOWN_RESERVE_MS,
  SUBSCRIBERS_SHUTDOWN_WAIT_MS,
} from '../common/subscribers.js';
import { InjectRuntime, type Runtime, shutdownWaitMs } from '../config/config.module.js';
import type { DomainEventMap } from '../realtime/domain-events.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { type AgentStatus, WORKING_STATUSES } from './agent-status.js';
import { AgentFiguresQuery } from './agent-figures.query.js';
import { type AgentFigures, toAgentResponse, toV1AgentResponse } from './agent.mapper.js';
import type { AgentResponseDto } from './dto/agent.dto.js';
import type { V1AgentResponseDto } from './dto/agent-v1.dto.js';
import type { AgentEntity } from './entities/agent.entity.js';

/** An agent with its derived figures: everything either API version shows. */
export interface AgentSnapshot {
  agent: AgentEntity;
  figures: AgentFigures;
}

export type AgentChange = 'created' | 'updated' | 'configuration_updated';

/**
 * Turns agents into their representations (v2, v1) and announces changes. Events
 * always carry the v2 representation and are published after the write commits.
 */
@Injectable()
export class AgentViews implements BeforeApplicationShutdown {
  /**
   * Told after commit, once its events are published, that an agent may be able to
   * take work (a heartbeat, a status change, capacity freed): the orchestrator
   * subscribes, without the agents module depending on it.
   */
  readonly available = new Subscribers<[agentId: string]>('AgentViews');

  constructor(
    private readonly figures: AgentFiguresQuery,
    private readonly events: EventBus,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.available.settled(
      shutdownWaitMs(this.runtime, SUBSCRIBERS_SHUTDOWN_WAIT_MS, SUBSCRIBERS_SHUTDOWN_RESERVE_MS),
    );
  }

  async snapshot(agent: AgentEntity, manager?: EntityManager): Promise<AgentSnapshot> {
    return { agent, figures: await this.figures.forAgent(agent.id, manager) };
  }

  async snapshots(agents: AgentEntity[]): Promise<AgentSnapshot[]> {
    const figures = await this.figures.forAgents(agents.map((agent) => agent.id));
    return agents.map((agent) => ({ agent, figures: figures.get(agent.id)! }));
  }

  async v2(agent: AgentEntity): Promise<AgentResponseDto> {
    return toV2(await this.snapshot(agent));
  }

  /** `reveals(agentId)`: whether the reader sees that agent's environment variables. */
  async v2List(
    agents: AgentEntity[],
    reveals: (agentId: string) => boolean,
  ): Promise<AgentResponseDto[]> {
    return (await this.snapshots(agents)).map((snapshot) =>
      toV2(snapshot, reveals(snapshot.agent.id)),
    );
  }

  async v1List(
    agents: AgentEntity[],
    reveals: (agentId: string) => boolean,
  ): Promise<V1AgentResponseDto[]> {
    return (await this.snapshots(agents)).map((snapshot) =>
      toV1(snapshot, reveals(snapshot.agent.id)),
    );
  }

  /** Publishes what changed: the change itself and, when the status moved, the status change. */
  async announce(
    snapshot: AgentSnapshot,
    change: AgentChange | null,
    previousStatus?: AgentStatus | null,
  ): Promise<void> {
    await this.events.publishAll(eventsOf(snapshot, change, previousStatus));
    if (hasRoom(snapshot)) this.available.notify(snapshot.agent.id);
  }

  /**
   * Agents' workloads moved by a task change: their figures read together, their events
   * in one batch. Subscribers are not told: they hear of the task change itself.
   */
  async announceMany(
    changes: {
      agent: AgentEntity;
      change: AgentChange | null;
      previousStatus: AgentStatus | null;
    }[],
  ): Promise<void> {
    const snapshots = await this.snapshots(changes.map(({ agent }) => agent));
    await this.events.publishAll(
      snapshots.flatMap((snapshot, index) =>
        eventsOf(snapshot, changes[index].change, changes[index].previousStatus),
      ),
    );
  }
}

type AgentEvent = {
  [K in AgentEventName]: [K, DomainEventMap[K]];
}[AgentEventName];
type AgentEventName =
  'agent.created' | 'agent.updated' | 'agent.configuration_updated' | 'agent.status_changed';

function eventsOf(
  snapshot: AgentSnapshot,
  change: AgentChange | null,
  previousStatus?: AgentStatus | null,
): AgentEvent[] {
  // Spread into a plain object: the event payload is JSON, not the DTO class.
  const agent = { ...toV2(snapshot) };
  const events: AgentEvent[] = [];
  if (change === 'created') events.push(['agent.created', { agent }]);
  else if (change === 'updated') events.push(['agent.updated', { agent }]);
  else if (change === 'configuration_updated')
    events.push(['agent.configuration_updated', { agent }]);
  if (previousStatus != null && previousStatus !== snapshot.agent.status)
    events.push(['agent.status_changed', { agent, previous_status: previousStatus }]);
  return events;
}

/** The cheap part of availability: a working status and room for another task. */
export function hasRoom({ agent, figures }: AgentSnapshot): boolean {
  return hasRoomFor(agent, figures.running);
}

/** Active, in a working status, and running fewer tasks than it may. */
export function hasRoomFor(agent: AgentEntity, running: number): boolean {
  return (
    agent.isActive && WORKING_STATUSES.includes(agent.status) && running < agent.maxConcurrentTasks
  );
}

export const toV2 = (snapshot: AgentSnapshot, revealSecrets = false): AgentResponseDto =>
  toAgentResponse(snapshot.agent, snapshot.figures, revealSecrets);

export const toV1 = (snapshot: AgentSnapshot, revealSecrets = false): V1AgentResponseDto =>
  toV1AgentResponse(snapshot.agent, snapshot.figures, revealSecrets);
