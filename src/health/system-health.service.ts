import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { randomUUID } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, Runtime } from '../config/config.module.js';
import { CHECK_TIMEOUT_MS, CoreHealthIndicators } from './health.indicators.js';
import { withTimeout } from '../common/async.js';
import { SocketHub } from '../realtime/socket-hub.service.js';
import type { V1HealthResponseDto } from './health-responses.dto.js';
import { QueueInspector } from '../jobs/queue-inspector.service.js';
import { diskUsage } from '../common/resources.js';

/** UPLOAD_DIR's file system counts as failing from this fill level on. */
export const DISK_FULL_PERCENT = 98;

const timedOut = `no answer within ${CHECK_TIMEOUT_MS} ms`;

/**
 * The deep health of this process and what it depends on: PostgreSQL, Redis, the
 * queues and their workers, UPLOAD_DIR (or the bucket), and Socket.IO. Checks run in parallel and
 * each gives up after CHECK_TIMEOUT_MS, so an answer never waits on a dead service.
 */
@Injectable()
export class SystemHealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly core: CoreHealthIndicators,
    private readonly indicators: HealthIndicatorService,
    private readonly queues: QueueInspector,
    private readonly hub: SocketHub,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  /** 200 with every check, or a 503 naming the failing ones (the global filter shapes it). */
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.checks());
  }

  /** The same checks, answered whatever their outcome (snapshots, v1). */
  async summary(): Promise<HealthCheckResult> {
    try {
      return await this.check();
    } catch (error) {
      if (error instanceof ServiceUnavailableException)
        return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }

  /** The original v1 shape: a status word and a boolean per check. */
  async v1(): Promise<V1HealthResponseDto> {
    const result = await this.summary();
    return {
      status: result.status === 'ok' ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      checks: Object.fromEntries(
        Object.entries(result.details).map(([name, detail]) => [name, detail.status === 'up']),
      ),
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      version: this.runtime.version,
    };
  }

  private checks(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [
      () => this.core.database(),
      () => this.core.redisPing(),
      () => this.queueCheck(),
      () => this.diskCheck(),
    ];
    // A worker serves no sockets.
    if (this.config.role !== 'worker') checks.push(() => this.socketCheck());
    return checks;
  }

  /**
   * Queues answer, and each has a live worker somewhere. In ROLE=api the workers are
   * other processes, so a queue nobody consumes is a failure; in ROLE=all (and
   * worker) this process consumes them itself, so the count is only reported.
   */
  private async queueCheck(): Promise<HealthIndicatorResult<'queues'>> {
    const session = this.indicators.check('queues');
    try {
      const [depths, workers] = await withTimeout(
        Promise.all([this.queues.depths(), this.queues.workers()]),
        CHECK_TIMEOUT_MS,
        timedOut,
      );
      const data = {
        queues: Object.fromEntries(
          depths.map(({ name, waiting, active, delayed, failed }) => [
            name,
            { waiting, active, delayed, failed, workers: workers[name] ?? 0 },
          ]),
        ),
      };
      const unserved = depths.filter(({ name }) => !workers[name]).map(({ name }) => name);
      if (this.config.role === 'api' && unserved.length)
        return session.down({ message: `no live worker for ${unserved.join(', ')}`, ...data });
      return session.up(data);
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  /**
   * UPLOAD_DIR exists (created if missing), takes a write, and has room. With
   * FILE_STORE=s3 there is no disk of ours: the bucket probe stands in its place.
   */
  private async diskCheck(): Promise<HealthIndicatorResult<'disk'>> {
    if (this.config.fileStore === 's3') return this.core.bucket('disk');
    const session = this.indicators.check('disk');
    const dir = this.config.uploadDir;
    try {
      const usage = await withTimeout(
        (async () => {
          await mkdir(dir, { recursive: true });
          const probe = join(dir, `.health-${randomUUID()}`);
          await writeFile(probe, 'ok');
          await unlink(probe);
          return diskUsage(dir);
        })(),
        CHECK_TIMEOUT_MS,
        timedOut,
      );
      const data = { ...usage, writable: true };
      if (usage.used_percent >= DISK_FULL_PERCENT)
        return session.down({ message: `${usage.used_percent}% of the disk is used`, ...data });
      return session.up(data);
    } catch (error) {
      return session.down({ message: (error as Error).message, path: dir });
    }
  }

  private socketCheck(): HealthIndicatorResult<'socketio'> {
    const session = this.indicators.check('socketio');
    const { v2, basic } = this.hub.namespaces;
    const missing = [!v2 && '/v2', !basic && '/'].filter(Boolean);
    if (missing.length)
      return session.down({ message: `namespaces not attached: ${missing.join(', ')}` });
    return session.up({ namespaces: ['/v2', '/'], local_connections: this.hub.localConnections() });
  }
}
