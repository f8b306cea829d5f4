import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { type FSWatcher, watch } from 'chokidar';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, type Runtime } from '../config/config.module.js';
import { sha256Hex } from '../auth/secrets.js';
import { AppError } from '../common/errors/app-errors.js';
import { sleep } from '../common/async.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { RedisService } from '../redis/redis.service.js';
import { WORKFLOW_ID } from './context.js';
import { realPathInside } from './inside-root.js';
import { SubforgeImporter } from './subforge-importer.service.js';

/** The watcher lease: one instance (worker or all role) watches and scans. */
const LEASE_MS = 15_000;
const RENEW_MS = 5_000;
/** Coalesces a burst of file events on one path (an editor's write, a rename). */
const DEBOUNCE_MS = 100;
/** A context that does not parse is read again after these pauses, then recorded as failed. */
const PARSE_RETRY_MS = [200, 400, 800];
const MAX_CONTEXT_BYTES = 20 * 1024 * 1024;
const MAX_AGENT_FILE_BYTES = 1024 * 1024;
const SCAN_CONCURRENCY = 4;
const CONTEXT_FILE = 'workflow_context.json';

export type ScanType = 'force' | 'incremental';

export interface ScanResult {
  scan_type: ScanType;
  discovered_count: number;
  workflows: string[];
  imported: number;
  removed: number;
  failed: number;
  agents_imported: number;
  duration_ms: number;
}

type Target = { kind: 'run'; id: string } | { kind: 'agent'; fileName: string };

interface ControlMessage {
  action: 'start' | 'stop' | 'scan';
  force?: boolean;
}

const RENEW_LEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end`;

const isMissing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Follows SUBFORGE_ROOT: a file watcher on `.subforge/` and `.claude/agents/` (debounced,
 * patient with files still being written) and a rescan every SUBFORGE_SCAN_INTERVAL_SECONDS
 * as a safety net. One instance among the worker-capable ones holds a Redis lease and
 * watches; start, stop and scan requests reach it over Redis. Work on one run or one
 * agent file is serialised, and every read happens when its turn comes.
 */
@Injectable()
export class SubforgeMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SubforgeMonitor');
  private leader = false;
  private watcher?: FSWatcher;
  private leaseTimer?: NodeJS.Timeout;
  private scanTimer?: NodeJS.Timeout;
  private subscriber?: Redis;
  private closing = false;
  private readonly debounced = new Map<string, NodeJS.Timeout>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private scanning?: Promise<ScanResult>;

  constructor(
    private readonly importer: SubforgeImporter,
    private readonly events: EventBus,
    private readonly redis: RedisService,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  get root(): string {
    return this.config.subforgeRoot;
  }

  get enabled(): boolean {
    return this.config.subforgeIntegrationEnabled;
  }

  /** True when this process is the one watching right now. */
  get watching(): boolean {
    return !!this.watcher;
  }

  key(name: 'watcher' | 'stopped' | 'last_scan' | 'control'): string {
    return this.redis.key('subforge', name);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled || this.config.role === 'api') return;
    this.subscriber = this.redis.create('subforge-control');
    this.subscriber.on('message', (_channel: string, message: string) => this.onControl(message));
    await this.subscriber
      .subscribe(this.key('control'))
      .catch((error: Error) => this.logger.warn(`control channel: ${error.message}`));
    await this.holdLease();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.leaseTimer);
    await this.deactivate();
    await Promise.allSettled([...this.chains.values(), this.scanning]);
    if (this.leader) {
      await this.redis.client
        .eval(RELEASE_LEASE, 1, this.key('watcher'), this.runtime.instanceId)
        .catch(() => undefined);
    }
  }

  /** Asks the watching instance to scan, or scans here when none is watching. */
  async requestScan(force: boolean): Promise<void> {
    if (this.leader || !(await this.watcherAlive())) {
      void this.scan(force ? 'force' : 'incremental').catch(() => undefined);
      return;
    }
    await this.control({ action: 'scan', force });
  }

  /** Clears the shared stop flag; returns false when monitoring was already on. */
  async start(): Promise<boolean> {
    const cleared = await this.redis.client.del(this.key('stopped'));
    await this.control({ action: 'start' });
    return cleared > 0;
  }

  async stop(): Promise<void> {
    await this.redis.client.set(this.key('stopped'), new Date().toISOString());
    await this.control({ action: 'stop' });
  }

  async stopped(): Promise<boolean> {
    return (await this.redis.client.exists(this.key('stopped'))) > 0;
  }

  async watcherAlive(): Promise<boolean> {
    return (await this.redis.client.exists(this.key('watcher'))) > 0;
  }

  async lastScan(): Promise<string | null> {
    return this.redis.client.get(this.key('last_scan'));
  }

  /**
   * Reads every run and agent file and imports what changed (everything when
   * `force`); runs and agent files that are gone are removed. One scan at a time.
   */
  scan(type: ScanType = 'incremental'): Promise<ScanResult> {
    const previous = this.scanning ?? Promise.resolve();
    const current = previous
      .catch(() => undefined)
      .then(() => this.runScan(type))
      .finally(() => {
        if (this.scanning === current) this.scanning = undefined;
      });
    this.scanning = current;
    return current;
  }

  private async runScan(type: ScanType): Promise<ScanResult> {
    const started = Date.now();
    const force = type === 'force';
    try {
      const [ids, known] = await Promise.all([
        this.list(join(this.root, '.subforge'), (e) => e.isDirectory() && WORKFLOW_ID.test(e.name)),
        this.importer.contextChecksums(),
      ]);
      const outcomes = new Map<string, RunOutcome>();
      await forEachLimit(ids, SCAN_CONCURRENCY, async (id) => {
        const outcome = await this.serial(`run:${id}`, () =>
          this.syncRun(id, force, known.get(id)),
        ).catch((error: Error) => {
          this.logger.warn(`run ${id}: ${error.message}`);
          return 'failed' as const;
        });
        outcomes.set(id, outcome);
      });
      const gone = [...known.keys()].filter((id) => !outcomes.has(id));
      for (const id of gone) await this.serial(`run:${id}`, () => this.importer.removeContext(id));
      const agents = await this.syncAgents(force);
      const present = ids.filter((id) => outcomes.get(id) !== 'missing');
      const result: ScanResult = {
        scan_type: type,
        discovered_count: present.length,
        workflows: present,
        imported: [...outcomes.values()].filter((o) => o === 'imported').length,
        removed: gone.length + [...outcomes.values()].filter((o) => o === 'missing').length,
        failed: [...outcomes.values()].filter((o) => o === 'failed').length,
        agents_imported: agents,
        duration_ms: Date.now() - started,
      };
      await this.redis.client
        .set(this.key('last_scan'), new Date().toISOString())
        .catch(() => undefined);
      await this.events.publish('subforge.scan_completed', {
        scan_type: type,
        status: 'completed',
        discovered_count: result.discovered_count,
        workflows: result.workflows,
      });
      this.logger.log(
        `scan (${type}): ${present.length} runs, ${result.imported} imported, ${result.removed} removed, ${result.failed} unreadable, ${agents} agents in ${result.duration_ms} ms`,
      );
      return result;
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`scan (${type}) failed: ${message}`);
      await this.events.publish('subforge.scan_completed', {
        scan_type: type,
        status: 'failed',
        discovered_count: 0,
        workflows: [],
        error: message,
      });
      throw error;
    }
  }

  private async syncAgents(force: boolean): Promise<number> {
    const directory = join(this.root, '.claude', 'agents');
    const [names, known] = await Promise.all([
      this.list(directory, (e) => e.isFile() && e.name.endsWith('.md')),
      this.importer.agentFileChecksums(),
    ]);
    let imported = 0;
    for (const name of names) {
      const changed = await this.serial(`agent:${name}`, () =>
        this.syncAgent(name, force, known.get(name)),
      ).catch((error: Error) => {
        this.logger.warn(`agent file ${name}: ${error.message}`);
        return false;
      });
      if (changed) imported++;
    }
    for (const name of known.keys())
      if (!names.includes(name))
        await this.serial(`agent:${name}`, () => this.importer.removeAgentFile(name));
    return imported;
  }

  /** Reads run `id`'s context and imports it; a file still being written is read again. */
  private async syncRun(id: string, force = false, knownChecksum?: string): Promise<RunOutcome> {
    const linked = join(this.root, '.subforge', id, CONTEXT_FILE);
    for (let attempt = 0; ; attempt++) {
      let bytes: Buffer;
      try {
        const path = await realPathInside(this.root, linked);
        if (!path) {
          this.logger.warn(
            `.subforge/${id}/${CONTEXT_FILE} skipped: it links outside SUBFORGE_ROOT`,
          );
          await this.importer.importContext(
            id,
            { bytes: Buffer.from(`outside: ${linked}`), error: 'links outside SUBFORGE_ROOT' },
            force,
          );
          return 'failed';
        }
        if ((await stat(path)).size > MAX_CONTEXT_BYTES) {
          await this.importer.importContext(
            id,
            {
              bytes: Buffer.from(`too large: ${path}`),
              error: `larger than ${MAX_CONTEXT_BYTES} bytes`,
            },
            force,
          );
          return 'failed';
        }
        bytes = await readFile(path);
      } catch (error) {
        if (!isMissing(error)) throw error;
        await this.importer.removeContext(id);
        return 'missing';
      }
      if (!force && knownChecksum === sha256Hex(bytes)) return 'unchanged';
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        if (attempt < PARSE_RETRY_MS.length && !this.closing) {
          await sleep(PARSE_RETRY_MS[attempt]);
          continue;
        }
        await this.importer.importContext(id, { bytes, error: (error as Error).message }, force);
        return 'failed';
      }
      try {
        const change = await this.importer.importContext(id, { bytes, json }, force);
        return change ? 'imported' : 'unchanged';
      } catch (error) {
        // Parsed, but not a run we can hold (a cycle among its tasks, ...): failed, with why.
        if (!(error instanceof AppError && error.statusCode === 400)) throw error;
        const details = error.details?.map((d) => `${d.field}: ${d.message}`).join('; ');
        const reason = details ? `${error.message} (${details})` : error.message;
        await this.importer.importContext(id, { bytes, error: reason }, force);
        return 'failed';
      }
    }
  }

  private async syncAgent(
    fileName: string,
    force = false,
    knownChecksum?: string,
  ): Promise<boolean> {
    let bytes: Buffer;
    try {
      const path = await realPathInside(this.root, join(this.root, '.claude', 'agents', fileName));
      if (!path) {
        this.logger.warn(`.claude/agents/${fileName} skipped: it links outside SUBFORGE_ROOT`);
        return false;
      }
      if ((await stat(path)).size > MAX_AGENT_FILE_BYTES) {
        this.logger.warn(
          `.claude/agents/${fileName} skipped: larger than ${MAX_AGENT_FILE_BYTES} bytes`,
        );
        return false;
      }
      bytes = await readFile(path);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await this.importer.removeAgentFile(fileName);
      return false;
    }
    if (!force && knownChecksum === sha256Hex(bytes)) return false;
    return !!(await this.importer.importAgentFile(fileName, bytes, force));
  }

  // --- the lease ------------------------------------------------------------------

  private async holdLease(): Promise<void> {
    if (this.closing) return;
    try {
      if (this.leader) {
        const renewed = await this.redis.client.eval(
          RENEW_LEASE,
          1,
          this.key('watcher'),
          this.runtime.instanceId,
          LEASE_MS,
        );
        if (!renewed) {
          this.logger.warn('watcher lease lost: another instance watches now');
          this.leader = false;
          await this.deactivate();
        }
      } else {
        const taken = await this.redis.client.set(
          this.key('watcher'),
          this.runtime.instanceId,
          'PX',
          LEASE_MS,
          'NX',
        );
        if (taken) {
          this.leader = true;
          // Not awaited: renewing the lease must not wait for the watcher's first pass.
          if (!(await this.stopped()))
            void this.activate().catch((error: Error) =>
              this.logger.warn(`watcher not started: ${error.message}`),
            );
        }
      }
    } catch (error) {
      // Redis away: whoever watches keeps watching (imports are idempotent anyway).
      this.logger.debug?.(`lease: ${(error as Error).message}`);
    }
    if (this.closing) return;
    this.leaseTimer = setTimeout(() => void this.holdLease(), RENEW_MS);
    this.leaseTimer.unref();
  }

  private onControl(raw: string): void {
    if (!this.leader || this.closing) return;
    let message: ControlMessage;
    try {
      message = JSON.parse(raw) as ControlMessage;
    } catch {
      return;
    }
    const done =
      message.action === 'start'
        ? this.activate()
        : message.action === 'stop'
          ? this.deactivate()
          : this.scan(message.force ? 'force' : 'incremental').then(() => undefined);
    done.catch((error: Error) => this.logger.warn(`${message.action}: ${error.message}`));
  }

  /** Every instance hears it (this one too, on its subscriber); the watching one acts. */
  private async control(message: ControlMessage): Promise<void> {
    await this.redis.client.publish(this.key('control'), JSON.stringify(message));
  }

  // --- watching -------------------------------------------------------------------

  private async activate(): Promise<void> {
    if (this.watcher || this.closing) return;
    const watcher = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false,
      depth: 3,
      ignored: (path: string) => this.target(path) === 'ignored',
    });
    this.watcher = watcher;
    watcher.on('all', (event: string, path: string) => this.onFileEvent(event, path));
    watcher.on('error', (error: unknown) =>
      this.logger.warn(`watcher: ${(error as Error).message}`),
    );
    await new Promise<void>((resolveReady) => watcher.once('ready', () => resolveReady()));
    this.logger.log(
      `watching ${join(this.root, '.subforge')} and ${join(this.root, '.claude', 'agents')}`,
    );
    // The first scan runs in the background: start-up does not wait for a large directory.
    void this.scan('incremental')
      .catch(() => undefined)
      .finally(() => this.scheduleRescan());
  }

  private async deactivate(): Promise<void> {
    clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
    for (const timer of this.debounced.values()) clearTimeout(timer);
    this.debounced.clear();
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
  }

  private scheduleRescan(): void {
    if (!this.watcher || this.closing) return;
    this.scanTimer = setTimeout(() => {
      void this.scan('incremental')
        .catch(() => undefined)
        .finally(() => this.scheduleRescan());
    }, this.config.subforgeScanIntervalSeconds * 1_000);
    this.scanTimer.unref();
  }

  private onFileEvent(_event: string, path: string): void {
    const target = this.target(path);
    if (typeof target === 'string') return;
    const key = target.kind === 'run' ? `run:${target.id}` : `agent:${target.fileName}`;
    clearTimeout(this.debounced.get(key));
    this.debounced.set(
      key,
      setTimeout(() => {
        this.debounced.delete(key);
        void this.serial<unknown>(key, () =>
          target.kind === 'run' ? this.syncRun(target.id) : this.syncAgent(target.fileName),
        ).catch((error: Error) => this.logger.warn(`${key}: ${error.message}`));
      }, DEBOUNCE_MS),
    );
  }

  /** What a path under the root is to us: a run, an agent file, a directory on the way, or nothing. */
  private target(path: string): Target | 'ignored' | 'parent' {
    const parts = relative(this.root, path).split(sep);
    if (parts[0] === '') return 'parent';
    if (parts[0] === '.subforge') {
      if (parts.length === 1) return 'parent';
      if (!WORKFLOW_ID.test(parts[1]) || parts.length > 3) return 'ignored';
      if (parts.length === 3 && parts[2] !== CONTEXT_FILE) return 'ignored';
      return { kind: 'run', id: parts[1] };
    }
    if (parts[0] === '.claude') {
      if (parts.length === 1 || (parts.length === 2 && parts[1] === 'agents')) return 'parent';
      if (parts.length === 3 && parts[1] === 'agents' && parts[2].endsWith('.md'))
        return { kind: 'agent', fileName: parts[2] };
    }
    return 'ignored';
  }

  // --- helpers --------------------------------------------------------------------

  /** Runs `work` after everything queued before it for the same key. */
  private serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.chains.set(key, current);
    void current
      .catch(() => undefined)
      .finally(() => {
        if (this.chains.get(key) === current) this.chains.delete(key);
      });
    return current;
  }

  private async list(directory: string, keep: (entry: Dirent) => boolean): Promise<string[]> {
    try {
      return (await readdir(directory, { withFileTypes: true })).filter(keep).map((e) => e.name);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }
}

type RunOutcome = 'imported' | 'unchanged' | 'failed' | 'missing';

async function forEachLimit<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
