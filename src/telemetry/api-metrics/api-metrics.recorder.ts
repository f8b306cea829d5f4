import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import { withTimeout } from '../../common/async.js';
import { ApiMetricRow, ApiMetricsRepository } from './api-metrics.repository.js';
import { emptyHistogram, mergeInto, observe } from './histogram.js';

/** How often the in-process aggregates go to PostgreSQL. */
export const FLUSH_INTERVAL_MS = 5_000;
/** Aggregates kept while PostgreSQL is away; beyond it the oldest minutes are dropped. */
const MAX_PENDING_ROWS = 100_000;
const MAX_ROUTE_LENGTH = 300;

export type CredentialKind = 'user' | 'api_key' | 'agent_key' | 'anonymous' | 'none';

export interface RequestSample {
  method: string;
  /** Route template, e.g. `/api/v2/agents/:id`. */
  route: string;
  status: number;
  durationMs: number;
  credential: CredentialKind;
}

export function statusClass(status: number): string {
  return `${Math.min(Math.max(Math.floor(status / 100), 1), 5)}xx`;
}

const minuteOf = (time: number) => Math.floor(time / 60_000) * 60_000;

/**
 * Aggregates every request in memory (per minute, route, method, status class and
 * credential kind) and writes the aggregates in one upsert every few seconds: the
 * request path never waits for a write.
 */
@Injectable()
export class ApiMetricsRecorder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ApiMetrics');
  private pending = new Map<string, ApiMetricRow>();
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly repository: ApiMetricsRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'worker') return;
    this.timer = setInterval(() => {
      this.flush().catch(() => undefined);
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await withTimeout(this.flush(), 3_000, 'final API metrics flush timed out').catch(
      (error: Error) => this.logger.warn(`API metrics of the last seconds lost: ${error.message}`),
    );
  }

  record(sample: RequestSample, at = Date.now()): void {
    const row: ApiMetricRow = {
      minute: new Date(minuteOf(at)),
      method: sample.method,
      route: sample.route.slice(0, MAX_ROUTE_LENGTH),
      statusClass: statusClass(sample.status),
      credential: sample.credential,
      count: 1,
      sumMs: sample.durationMs,
      minMs: sample.durationMs,
      maxMs: sample.durationMs,
      histogram: emptyHistogram(),
    };
    observe(row.histogram, sample.durationMs);
    this.add(row);
  }

  /** Writes everything recorded so far; rejects when PostgreSQL refuses (the rows wait for the next flush). */
  flush(): Promise<void> {
    const run = this.chain.catch(() => undefined).then(() => this.write());
    this.chain = run;
    return run;
  }

  /** Requests recorded and not yet written (tests, diagnostics). */
  get pendingRows(): number {
    return this.pending.size;
  }

  private async write(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.repository.add([...batch.values()]);
      if (this.failing) this.logger.log('API metrics are written again');
      this.failing = false;
    } catch (error) {
      for (const row of batch.values()) this.add(row);
      this.trim();
      if (!this.failing)
        this.logger.warn(`API metrics kept in memory for now: ${(error as Error).message}`);
      this.failing = true;
      throw error;
    }
  }

  private add(row: ApiMetricRow): void {
    const key = `${row.minute.getTime()}|${row.method}|${row.route}|${row.statusClass}|${row.credential}`;
    const existing = this.pending.get(key);
    if (!existing) {
      this.pending.set(key, row);
      return;
    }
    existing.count += row.count;
    existing.sumMs += row.sumMs;
    existing.minMs = Math.min(existing.minMs, row.minMs);
    existing.maxMs = Math.max(existing.maxMs, row.maxMs);
    mergeInto(existing.histogram, row.histogram);
  }

  private trim(): void {
    if (this.pending.size <= MAX_PENDING_ROWS) return;
    const byAge = [...this.pending.entries()].sort(
      ([, a], [, b]) => a.minute.getTime() - b.minute.getTime(),
    );
    const excess = byAge.slice(0, this.pending.size - MAX_PENDING_ROWS);
    for (const [key] of excess) this.pending.delete(key);
    this.logger.warn(`dropped ${excess.length} unwritten API metric rows (oldest minutes)`);
  }
}
