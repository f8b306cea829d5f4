import request from 'supertest';
import { TEST_ADMIN_KEY } from './app.js';
import { createApiKey } from './identities.js';
import { connectSocket, TestSocket } from './socket.js';

/** What a `task_assigned` told the agent. */
export interface Assignment {
  taskId: string;
  runId: string | null;
  stepKey: string | null;
  attempt: number;
  eventId: string;
  receivedAt: number;
}

/** How the agent answers an assignment. */
export type Reply =
  | { kind: 'complete'; afterMs?: number; result?: Record<string, unknown>; quality_score?: number }
  | { kind: 'fail'; afterMs?: number; error: string; retryable?: boolean }
  | { kind: 'ignore' };

export type Script = (assignment: Assignment) => Reply;

export interface ScriptedAgentOptions {
  agentType: string;
  name?: string;
  capabilities?: string[];
  maxConcurrentTasks?: number;
  script?: Script;
  /** Send the first heartbeat (which makes the agent available). Default true. */
  heartbeat?: boolean;
}

/**
 * An agent driven by a script, over the real protocol: registered over REST, an
 * agent key, a /v2 socket (joined to `agent:<id>` at the handshake), heartbeats,
 * and `task_complete` / `task_fail` reports with the attempt they are about.
 */
export class ScriptedAgent {
  readonly assignments: Assignment[] = [];
  readonly acks: { taskId: string; attempt: number; ack: any }[] = [];
  private socket?: TestSocket;
  private timers = new Set<NodeJS.Timeout>();
  paused = false;

  private constructor(
    public url: string,
    readonly id: string,
    readonly name: string,
    readonly key: string,
    private script: Script,
  ) {}

  static async start(url: string, options: ScriptedAgentOptions): Promise<ScriptedAgent> {
    const name = options.name ?? `${options.agentType}-${Math.random().toString(36).slice(2, 8)}`;
    const created = await request(url)
      .post('/api/v2/agents')
      .set('X-API-Key', TEST_ADMIN_KEY)
      .send({
        name,
        agent_type: options.agentType,
        capabilities: options.capabilities ?? [],
        max_concurrent_tasks: options.maxConcurrentTasks ?? 1,
      });
    if (created.status !== 201)
      throw new Error(`agent not created: ${JSON.stringify(created.body)}`);
    const { key } = await createApiKey(url, 'agent', created.body.id);
    const agent = new ScriptedAgent(
      url,
      created.body.id,
      name,
      key,
      options.script ?? (() => ({ kind: 'complete' })),
    );
    await agent.connect();
    if (options.heartbeat ?? true) await agent.heartbeat();
    return agent;
  }

  /** (Re)connects, e.g. to a restarted service at `url`. */
  async connect(url = this.url): Promise<void> {
    this.url = url;
    this.socket = await connectSocket(url, { token: this.key });
    this.socket.socket.on('task_assigned', (envelope: any) => this.onAssigned(envelope));
  }

  setScript(script: Script): void {
    this.script = script;
  }

  async heartbeat(status = 'active'): Promise<void> {
    const ack = await this.socket!.ack('agent_heartbeat', { status });
    if (!ack.ok) throw new Error(`heartbeat refused: ${JSON.stringify(ack)}`);
  }

  /**
   * Reports on a task (with its attempt) and records the acknowledgement. A 503 (the
   * service shedding a burst of reports: "retry shortly") is sent again, as an agent should.
   */
  async report(taskId: string, attempt: number, reply: Reply): Promise<any> {
    if (reply.kind === 'ignore') return null;
    for (let tries = 1; ; tries++) {
      const ack = await this.send(taskId, attempt, reply);
      if (ack.ok || ack.error?.status_code !== 503 || tries === 20) {
        this.acks.push({ taskId, attempt, ack });
        return ack;
      }
      await new Promise((resolveLater) => setTimeout(resolveLater, 100));
    }
  }

  private send(taskId: string, attempt: number, reply: Exclude<Reply, { kind: 'ignore' }>) {
    return reply.kind === 'complete'
      ? this.socket!.ack('task_complete', {
          task_id: taskId,
          attempt,
          result: reply.result ?? { done_by: this.name },
          ...(reply.quality_score === undefined ? {} : { quality_score: reply.quality_score }),
        })
      : this.socket!.ack('task_fail', {
          task_id: taskId,
          attempt,
          error: reply.error,
          ...(reply.retryable === undefined ? {} : { retryable: reply.retryable }),
        });
  }

  private onAssigned(envelope: any): void {
    const data = envelope.data;
    const assignment: Assignment = {
      taskId: data.task.id,
      runId: data.run_id,
      stepKey: data.step_key,
      attempt: data.attempt,
      eventId: envelope.id,
      receivedAt: Date.now(),
    };
    this.assignments.push(assignment);
    if (this.paused) return;
    const reply = this.script(assignment);
    if (reply.kind === 'ignore') return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.report(assignment.taskId, assignment.attempt, reply).catch(() => undefined);
    }, reply.afterMs ?? 0);
    this.timers.add(timer);
  }

  disconnect(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.socket?.close();
  }
}
