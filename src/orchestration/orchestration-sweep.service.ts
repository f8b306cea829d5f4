import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { type AttentionCursor, RunStore } from '../workflows/run-store.js';
import { OrchestratorService } from './orchestrator.service.js';

export const SWEEP_INTERVAL_MS = 1_000;
const ATTENTION_BATCH = 200;

/**
 * The periodic pass over every orchestrated run, on each worker process: starts
 * overdue scheduled runs, times out steps past their deadline, retries failed steps
 * whose backoff elapsed, dispatches steps still waiting and finishes runs. Of the runs
 * needing a look it takes a page per pass, in turn, so runs that cannot move yet never
 * keep the others out (with more than a page, a run waits a few passes for its turn).
 * It is what makes runs survive a restart or a lost Redis: it re-derives all pending
 * work from PostgreSQL. A loop in the worker rather than a repeatable Bull job: a job
 * every second would write a durable job record every second and could be starved
 * by long jobs holding every worker slot; the sweep is idempotent, so two workers
 * sweeping at once only repeat each other's reads.
 */
@Injectable()
export class OrchestrationSweepService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('OrchestrationSweepService');
  private timer?: NodeJS.Timeout;
  private current?: Promise<unknown>;
  private stopped = false;
  /** Where the last pass's page of runs needing attention ended; each pass takes the next. */
  private attention?: AttentionCursor;

  constructor(
    private readonly orchestrator: OrchestratorService,
    private readonly runs: RunStore,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.sweep().finally(() => this.schedule(SWEEP_INTERVAL_MS));
    }, delay);
    this.timer.unref();
  }

  /** One pass; returns the runs it looked at. */
  async sweep(): Promise<string[]> {
    try {
      const started = await this.orchestrator.startDue();
      const timedOut = await this.orchestrator.timeOutExpired();
      const attention = await this.runs.needingAttention(ATTENTION_BATCH, this.attention);
      this.attention = attention.next;
      const runIds = [...new Set([...started, ...timedOut, ...attention.ids])];
      for (const runId of runIds) {
        if (this.stopped) break;
        await this.orchestrator.advance(runId);
      }
      return runIds;
    } catch (error) {
      this.logger.warn(`sweep skipped: ${(error as Error).message}`);
      return [];
    }
  }
}
