import { Injectable, Logger } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import { Batcher } from '../common/batcher.js';
import { CacheVersions } from '../common/cache/cache-versions.service.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { type AgentStatus, statusAfterHeartbeat } from './agent-status.js';
import { AgentFiguresQuery } from './agent-figures.query.js';
import {
  AgentsRepository,
  type AgentWithRunning,
  type HeartbeatTouch,
} from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { AgentViews, hasRoomFor } from './agent-views.service.js';
import type { HeartbeatAckDto, HeartbeatDto } from './dto/agent-operations.dto.js';
import type { V1HeartbeatDto, V1HeartbeatResponseDto } from './dto/agent-v1.dto.js';
import type { AgentEntity, ReportedFigures } from './entities/agent.entity.js';
import { successRate } from './agent.mapper.js';

/** The self-reported figures a heartbeat may carry; everything else in `metrics` is ignored. */
const REPORTABLE = [
  'tasks_completed',
  'tasks_failed',
  'success_rate',
  'avg_response_time',
  'uptime_percentage',
] as const;

/** Keeps the known, sane figures of a heartbeat's `metrics`; undefined when there are none. */
export function reportableFigures(
  metrics: Record<string, unknown> | undefined,
): ReportedFigures | undefined {
  if (!metrics) return undefined;
  const kept: ReportedFigures = {};
  for (const field of REPORTABLE) {
    const value = metrics[field];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) kept[field] = value;
  }
  if (kept.uptime_percentage !== undefined && kept.uptime_percentage > 100)
    delete kept.uptime_percentage;
  if (kept.success_rate !== undefined && kept.success_rate > 100) delete kept.success_rate;
  if (!Object.keys(kept).length) return undefined;
  if (kept.success_rate === undefined && (kept.tasks_completed ?? kept.tasks_failed) !== undefined)
    kept.success_rate = successRate(kept.tasks_completed ?? 0, kept.tasks_failed ?? 0);
  return kept;
}

/**
 * A heartbeat's figures over the stored ones, stamped `reported_at`; `changed` when a figure
 * differs (the same figures again are not news). Undefined when it reports none.
 */
function mergeFigures(
  stored: ReportedFigures | null,
  metrics: Record<string, unknown> | undefined,
  now: Date,
): { figures: ReportedFigures; changed: boolean } | undefined {
  const reported = reportableFigures(metrics);
  if (!reported) return undefined;
  const { reported_at: _at, ...before } = stored ?? {};
  const merged = { ...before, ...reported };
  return {
    figures: { ...merged, reported_at: now.toISOString() },
    changed: !isDeepStrictEqual(before, merged),
  };
}

/**
 * Whether an agent whose last heartbeat was at `last` has dropped out of the dispatcher's
 * pool by `now` (or is within a second of it: the dispatcher reads the database's clock).
 */
export function isSilent(last: Date, now: Date, offlineAfterSeconds: number): boolean {
  return now.getTime() - last.getTime() >= (offlineAfterSeconds - 1) * 1000;
}

export interface HeartbeatSweepResult {
  checked_at: string;
  offline_after_seconds: number;
  marked_offline: string[];
}

/** Heartbeats (REST and socket) and the offline sweep. */
@Injectable()
export class AgentHeartbeatsService {
  private readonly logger = new Logger('AgentHeartbeats');
  /**
   * Quiet heartbeats arriving together share their statements: one read of all their
   * agents, one guarded UPDATE for all. At 1,000 heartbeats a second, a statement (and a
   * pooled connection) each was what the service ran out of.
   */
  private readonly reads = new Batcher<string, AgentWithRunning>((ids) =>
    this.repository.findWithRunning(ids),
  );
  private readonly touches = new Batcher<HeartbeatTouch, boolean>(async (touches) => {
    const written = await this.repository.touchHeartbeats(touches);
    return new Map(touches.map((touch, index) => [touch, written[index]]));
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly repository: AgentsRepository,
    private readonly figures: AgentFiguresQuery,
    private readonly views: AgentViews,
    private readonly cache: CacheVersions,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async heartbeat(agentId: string, dto: HeartbeatDto): Promise<HeartbeatAckDto> {
    const now = new Date();
    const quiet = await this.quietHeartbeat(agentId, dto, now);
    const { agent, running, previousStatus, changed, returned } = quiet
      ? { ...quiet, previousStatus: null, changed: false }
      : await this.lockedHeartbeat(agentId, dto, now);
    if (changed || previousStatus) {
      await this.views.announce(
        await this.views.snapshot(agent),
        changed ? 'updated' : null,
        previousStatus,
      );
    } else {
      // Nothing worth an event, but cached reads show last_heartbeat: make them fresh.
      await this.cache.bump(['agents']);
      // A heartbeat after a silence makes the agent available to dispatch again. One that
      // follows a fresh heartbeat changes nothing for dispatch: the agent was already in
      // its pool, and the steps waiting for it are the sweep's.
      if (returned && hasRoomFor(agent, running)) this.views.available.notify(agent.id);
    }
    return {
      agent_id: agent.id,
      status: agent.status,
      last_heartbeat: now.toISOString(),
      offline_after_seconds: this.config.agentOfflineAfterSeconds,
    };
  }

  /**
   * The common case, a heartbeat that changes nothing but its time (same status, task and
   * figures; a first one also opens the agent's uptime window): a read and a guarded UPDATE,
   * each shared with the heartbeats arriving at the same time, no transaction. Null when the
   * heartbeat changes more, or the row moved between the read and the write; the locked
   * path then decides.
   */
  private async quietHeartbeat(
    agentId: string,
    dto: HeartbeatDto,
    now: Date,
  ): Promise<{ agent: AgentEntity; running: number; returned: boolean } | null> {
    const found = await this.reads.ask(agentId);
    if (!found) return null;
    const { agent, running } = found;
    const returned = this.returnsToPool(agent.lastHeartbeat, now);
    if (dto.current_task_id !== undefined && dto.current_task_id !== agent.currentTaskId)
      return null;
    const figures = mergeFigures(agent.reportedFigures, dto.metrics, now);
    if (figures?.changed) return null;
    const next = statusAfterHeartbeat(agent.status, dto.status, running, agent.maxConcurrentTasks);
    if (next !== agent.status) return null;
    if (!(await this.touches.ask({ agent, at: now, reportedFigures: figures?.figures })))
      return null;
    agent.lastHeartbeat = now;
    agent.lastActivity = now;
    if (figures) agent.reportedFigures = figures.figures;
    return { agent, running, returned };
  }

  /** A first heartbeat, or one after a silence, brings the agent (back) into dispatch's pool. */
  private returnsToPool(lastHeartbeat: Date | null, now: Date): boolean {
    return !lastHeartbeat || isSilent(lastHeartbeat, now, this.config.agentOfflineAfterSeconds);
  }

  /** Any other heartbeat: under the agent's row lock, with its status history. */
  private async lockedHeartbeat(agentId: string, dto: HeartbeatDto, now: Date) {
    let previousStatus: AgentStatus | null = null;
    let changed = false;
    let running = 0;
    let returned = false;
    const agent = await this.dataSource.transaction(async (manager) => {
      const locked = await this.agents.lockWithRunningOrFail(manager, agentId);
      const { agent } = locked;
      running = locked.running;
      returned = this.returnsToPool(agent.lastHeartbeat, now);
      const next = statusAfterHeartbeat(
        agent.status,
        dto.status,
        running,
        agent.maxConcurrentTasks,
      );
      previousStatus = await this.repository.transition(manager, agent, next, 'heartbeat');
      // The first heartbeat opens the agent's uptime window: it is recorded even without a change.
      if (agent.lastHeartbeat === null && previousStatus === null)
        await this.repository.recordStatus(
          manager,
          agent.id,
          agent.status,
          agent.status,
          'heartbeat',
        );
      if (dto.current_task_id !== undefined && dto.current_task_id !== agent.currentTaskId) {
        agent.currentTaskId = dto.current_task_id;
        agent.currentTaskTitle = await this.figures.taskTitle(dto.current_task_id, manager);
        changed = true;
      }
      const figures = mergeFigures(agent.reportedFigures, dto.metrics, now);
      if (figures) {
        // The same figures again are not news: no event, only a fresher reported_at.
        changed ||= figures.changed;
        agent.reportedFigures = figures.figures;
      }
      agent.lastHeartbeat = now;
      agent.lastActivity = now;
      await this.repository.saveHeartbeat(manager, agent, now);
      return agent;
    });
    return {
      agent,
      running,
      previousStatus: previousStatus as AgentStatus | null,
      changed,
      returned,
    };
  }

  async heartbeatV1(agentId: string, dto: V1HeartbeatDto): Promise<V1HeartbeatResponseDto> {
    const { agent_id: _ignored, timestamp, ...heartbeat } = dto;
    const ack = await this.heartbeat(agentId, heartbeat);
    return { status: 'heartbeat_received', timestamp: timestamp ?? ack.last_heartbeat };
  }

  /**
   * `agents.check_heartbeats`: agents silent for AGENT_OFFLINE_AFTER_SECONDS become
   * `offline` and the change is announced. Idempotent: an agent flips once.
   */
  async checkHeartbeats(signal?: AbortSignal): Promise<HeartbeatSweepResult> {
    const seconds = this.config.agentOfflineAfterSeconds;
    signal?.throwIfAborted();
    const changed = await this.dataSource.transaction((manager) =>
      this.repository.markSilentOffline(manager, seconds),
    );
    const previous = new Map(changed.map((row) => [row.id, row.previous]));
    for (const agent of await this.repository.findByIds([...previous.keys()])) {
      await this.views.announce(await this.views.snapshot(agent), null, previous.get(agent.id));
    }
    if (changed.length) this.logger.log(`${changed.length} silent agent(s) marked offline`);
    return {
      checked_at: new Date().toISOString(),
      offline_after_seconds: seconds,
      marked_offline: [...previous.keys()],
    };
  }
}
