import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Logger } from '@nestjs/common';
import { sha256Hex } from '../auth/secrets.js';
import { AppError } from '../common/errors/app-errors.js';
import { sleep } from '../common/async.js';
import { WORKFLOW_ID } from './context.js';
import { realPathInside } from './inside-root.js';
import type { SubforgeImporter } from './subforge-importer.service.js';

/** A context that does not parse is read again after these pauses, then recorded as failed. */
const PARSE_RETRY_MS = [200, 400, 800];
const MAX_CONTEXT_BYTES = 20 * 1024 * 1024;
const MAX_AGENT_FILE_BYTES = 1024 * 1024;
const CONTEXT_FILE = 'workflow_context.json';

export type Target = { kind: 'run'; id: string } | { kind: 'agent'; fileName: string };

export const isMissing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Reads SubforgeMonitor's files and hands them to the importer: a run's context (patient
 * with a file still being written), `.claude/agents` files, what a watched path is. Work on
 * one run or one agent file is serialised (`serial`), and every read happens in its turn.
 */
export class SubforgeSync {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly root: string,
    private readonly importer: SubforgeImporter,
    private readonly logger: Logger,
    private readonly isClosing: () => boolean,
  ) {}

  /** The work queued or running now (shutdown waits for it). */
  pending(): Promise<unknown>[] {
    return [...this.chains.values()];
  }

  async syncAgents(force: boolean): Promise<number> {
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
  async syncRun(id: string, force = false, knownChecksum?: string): Promise<RunOutcome> {
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
        if (attempt < PARSE_RETRY_MS.length && !this.isClosing()) {
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

  async syncAgent(fileName: string, force = false, knownChecksum?: string): Promise<boolean> {
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

  /** What a path under the root is to us: a run, an agent file, a directory on the way, or nothing. */
  target(path: string): Target | 'ignored' | 'parent' {
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

  /** Runs `work` after everything queued before it for the same key. */
  serial<T>(key: string, work: () => Promise<T>): Promise<T> {
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

  async list(directory: string, keep: (entry: Dirent) => boolean): Promise<string[]> {
    try {
      return (await readdir(directory, { withFileTypes: true })).filter(keep).map((e) => e.name);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }
}

export type RunOutcome = 'imported' | 'unchanged' | 'failed' | 'missing';

export async function forEachLimit<T>(
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
