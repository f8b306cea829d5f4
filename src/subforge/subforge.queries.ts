import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { NotFoundError } from '../common/errors/app-errors.js';
import { toEnvelope, type EventEnvelope } from '../realtime/event-envelope.js';
import { type AgentActivity, WORKFLOW_ID } from './context.js';
import { SubforgeRunEntity } from './entities/subforge-run.entity.js';

/** The listing holds every unfinished run and this many of the most recently finished. */
export const MAX_LISTED_FINISHED = 100;
const MAX_ACTIVITIES = 200;

export interface AgentUtilization {
  runs: number;
  tasks_assigned: number;
  tasks_completed: number;
  /** Share of every SubForge task assigned to this agent, in percent. */
  share_of_tasks: number;
}

export interface SubforgeMetrics {
  total_workflows: number;
  active_workflows: number;
  completed_workflows: number;
  failed_workflows: number;
  /** Seconds from a completed run's `created_at` to its `completed_at`, averaged; null with none. */
  average_completion_time: number | null;
  success_rate: number;
  most_common_phases: { phase: string; count: number }[];
  agent_utilization: Record<string, AgentUtilization>;
  recent_activities: AgentActivity[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Reads of the imported SubForge runs, all from PostgreSQL. */
@Injectable()
export class SubforgeQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every unfinished run and the most recently finished ones, newest first. */
  async list(): Promise<SubforgeRunEntity[]> {
    const repository = this.dataSource.getRepository(SubforgeRunEntity);
    const [unfinished, finished] = await Promise.all([
      repository.find({ where: { status: In(['active', 'paused']) } }),
      repository.find({
        where: { status: In(['completed', 'failed', 'cancelled']) },
        order: { updatedAt: 'DESC', id: 'ASC' },
        take: MAX_LISTED_FINISHED,
      }),
    ]);
    return [...unfinished, ...finished].sort(
      (a, b) => b.startedAt.getTime() - a.startedAt.getTime() || a.id.localeCompare(b.id),
    );
  }

  /** The run with this directory name; anything not shaped like one is simply not found. */
  async get(id: string): Promise<SubforgeRunEntity> {
    const row = WORKFLOW_ID.test(id)
      ? await this.dataSource.getRepository(SubforgeRunEntity).findOneBy({ id })
      : null;
    if (!row) throw new NotFoundError(`Workflow '${id}'`);
    return row;
  }

  /**
   * The phases' step names of the mirrored run in the order of the file as imported
   * (`Phase: <name>`): the context itself is jsonb, whose key order is not the file's.
   */
  async phaseOrder(runId: string): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT name FROM workflow_run_steps WHERE run_id = $1 AND step_key LIKE 'phase.%'
        ORDER BY position`,
      [runId],
    );
    return rows.map((row) => row.name);
  }

  async counts(): Promise<{ total: number; active: number }> {
    const [row] = await this.dataSource.query<{ total: number; active: number }[]>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'active')::int AS active
         FROM subforge_runs`,
    );
    return row;
  }

  /**
   * What happened in a run: the activities its file records, and the events of its
   * tasks and of the agents working on them. Newest first.
   */
  async activities(
    id: string,
    recorded: AgentActivity[],
    runId: string | null,
  ): Promise<AgentActivity[]> {
    const events = runId ? await this.runEvents([runId]) : [];
    return merge(
      recorded,
      events.map((event) => fromEvent(event, id)),
    );
  }

  /** The newest activities from the events of these runs (API runs: their id is theirs). */
  async recentRunActivities(runIds: string[], limit: number): Promise<AgentActivity[]> {
    const events = await this.runEvents(runIds, limit);
    const ids = new Map(runIds.map((id) => [id, id]));
    return events.map((event) => fromEvent(event, runOf(event, ids)));
  }

  async metrics(): Promise<SubforgeMetrics> {
    const [[counts], phases, tasks, deployments, recentFile, runs] = await Promise.all([
      this.dataSource.query<Json[]>(
        `SELECT count(*)::int AS total,
                count(*) FILTER (WHERE status = 'active')::int AS active,
                count(*) FILTER (WHERE status = 'completed')::int AS completed,
                count(*) FILTER (WHERE status = 'failed')::int AS failed,
                avg(extract(epoch FROM (context->>'completed_at')::timestamptz
                                     - (context->>'created_at')::timestamptz))
                  FILTER (WHERE status = 'completed') AS average_seconds
           FROM subforge_runs`,
      ),
      this.dataSource.query<{ phase: string; count: number }[]>(
        `SELECT phase, count(*)::int AS count
           FROM subforge_runs, jsonb_object_keys(context->'phase_results') AS phase
          GROUP BY phase ORDER BY count DESC, phase LIMIT 10`,
      ),
      this.dataSource.query<{ agent: string; assigned: number; completed: number }[]>(
        `SELECT t->>'assigned_agent' AS agent, count(*)::int AS assigned,
                count(*) FILTER (WHERE lower(t->>'status') IN ('completed', 'done', 'success'))::int AS completed
           FROM subforge_runs, jsonb_array_elements(context->'tasks') AS t
          WHERE t->>'assigned_agent' IS NOT NULL
          GROUP BY 1`,
      ),
      this.dataSource.query<{ agent: string; runs: number }[]>(
        `SELECT a->>'name' AS agent, count(DISTINCT id)::int AS runs
           FROM subforge_runs, jsonb_array_elements(context->'deployed_agents') AS a
          GROUP BY 1`,
      ),
      this.dataSource.query<{ activity: AgentActivity }[]>(
        `SELECT a AS activity
           FROM subforge_runs, jsonb_array_elements(context->'agent_activities') AS a
          ORDER BY a->>'timestamp' DESC NULLS LAST LIMIT 10`,
      ),
      this.dataSource.query<{ id: string; workflow_run_id: string }[]>(
        `SELECT id, workflow_run_id FROM subforge_runs WHERE workflow_run_id IS NOT NULL`,
      ),
    ]);
    const subforgeIds = new Map(runs.map((run) => [run.workflow_run_id, run.id]));
    const events = await this.runEvents([...subforgeIds.keys()], 10);
    const totalTasks = tasks.reduce((sum, row) => sum + row.assigned, 0);
    const utilization: Record<string, AgentUtilization> = {};
    const entry = (agent: string) =>
      (utilization[agent] ??= {
        runs: 0,
        tasks_assigned: 0,
        tasks_completed: 0,
        share_of_tasks: 0,
      });
    for (const row of deployments) entry(row.agent).runs = row.runs;
    for (const row of tasks) {
      Object.assign(entry(row.agent), {
        tasks_assigned: row.assigned,
        tasks_completed: row.completed,
        share_of_tasks: round((row.assigned / totalTasks) * 100),
      });
    }
    return {
      total_workflows: counts.total,
      active_workflows: counts.active,
      completed_workflows: counts.completed,
      failed_workflows: counts.failed,
      average_completion_time:
        counts.average_seconds === null ? null : round(Number(counts.average_seconds)),
      success_rate: counts.total ? round((counts.completed / counts.total) * 100) : 0,
      most_common_phases: phases,
      agent_utilization: utilization,
      recent_activities: merge(
        recentFile.map((row) => row.activity),
        events.map((event) => fromEvent(event, runOf(event, subforgeIds))),
      ).slice(0, 10),
    };
  }

  /** Task events of these runs and agent events of their tasks' agents, newest first. */
  private async runEvents(runIds: string[], limit = MAX_ACTIVITIES): Promise<EventEnvelope[]> {
    if (!runIds.length) return [];
    const rooms = runIds.map((id) => `run:${id}`);
    const rows = await this.dataSource.query<Json[]>(
      `WITH agents AS (
         SELECT DISTINCT 'agent:' || assigned_agent_id AS room FROM tasks
          WHERE run_id = ANY($1::uuid[]) AND assigned_agent_id IS NOT NULL)
       SELECT id, type, rooms, data, created_at FROM events
        WHERE (type = 'task_update' AND rooms && $2::text[])
           OR (type = 'agent_update' AND rooms && ARRAY(SELECT room FROM agents))
        ORDER BY id DESC LIMIT $3`,
      [runIds, rooms, limit],
    );
    return rows.map((row) => toEnvelope(row as Parameters<typeof toEnvelope>[0]));
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

function runOf(event: EventEnvelope, subforgeIds: Map<string, string>): string | null {
  const room = event.rooms.find((r) => r.startsWith('run:'));
  return room ? (subforgeIds.get(room.slice(4)) ?? null) : null;
}

/** An event of our history as a SubForge activity. */
function fromEvent(event: EventEnvelope, workflowId: string | null): AgentActivity {
  const data = event.data as Json;
  if (event.type === 'agent_update') {
    const agent = (data.agent ?? {}) as Json;
    return {
      agent_id: agent.id ?? data.agent_id ?? null,
      agent_name: agent.name ?? null,
      activity_type: `agent_${data.event}`,
      description: `${agent.name ?? 'Agent'}: ${data.event}${agent.status ? ` (${agent.status})` : ''}`,
      timestamp: event.timestamp,
      duration: null,
      status: agent.status ?? String(data.event),
      task_id: agent.current_task?.id ?? null,
      workflow_id: workflowId,
      metadata: { source: 'event', event_id: event.id },
    };
  }
  const task = (data.task ?? {}) as Json;
  return {
    agent_id: task.assigned_agent?.id ?? null,
    agent_name: task.assigned_agent?.name ?? null,
    activity_type: `task_${data.event}`,
    description: `${task.title ?? 'Task'}: ${task.status ?? data.event}`,
    timestamp: event.timestamp,
    duration: null,
    status: task.status ?? String(data.event),
    task_id: task.id ?? data.task_id ?? null,
    workflow_id: workflowId,
    metadata: { source: 'event', event_id: event.id },
  };
}

/** Both lists, newest first (activities without a time last). */
export function merge(recorded: AgentActivity[], fromEvents: AgentActivity[]): AgentActivity[] {
  const tagged = recorded.map((activity) => ({
    ...activity,
    metadata: { source: 'file', ...activity.metadata },
  }));
  return [...tagged, ...fromEvents]
    .sort((a, b) => (b.timestamp ?? '').localeCompare(a.timestamp ?? ''))
    .slice(0, MAX_ACTIVITIES);
}
