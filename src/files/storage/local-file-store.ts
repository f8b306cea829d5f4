import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import {
  checkKey,
  checkNamespace,
  Digest,
  FileStore,
  FileStoreHealth,
  MissingObjectError,
  ReadRange,
  StoredObject,
  StoredObjectStat,
} from './file-store.js';

const PARTIAL_SUFFIX = '.part';
/** Partial files older than this were left by a crashed process, not by an upload in progress. */
const STALE_PARTIAL_MS = 24 * 3600_000;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Files on local disk under UPLOAD_DIR, one directory per namespace, each file
 * named by a random UUID (never by the client). Writes go to `<uuid>.part` and are
 * renamed when complete, so a key never names half a file. UPLOAD_DIR is not
 * served statically: bytes leave only through the download route.
 */
@Injectable()
export class LocalFileStore extends FileStore {
  private readonly logger = new Logger('FileStore');
  private readonly root: string;

  constructor(@InjectConfig() config: AppConfig) {
    super();
    this.root = config.uploadDir;
  }

  async init(namespaces: readonly string[]): Promise<void> {
    for (const namespace of namespaces) {
      const directory = join(this.root, checkNamespace(namespace));
      try {
        await mkdir(directory, { recursive: true, mode: 0o750 });
      } catch (error) {
        throw new Error(`UPLOAD_DIR ${this.root} is not usable: ${(error as Error).message}`);
      }
      await this.removeStalePartials(directory);
    }
  }

  async write(namespace: string, source: Readable): Promise<StoredObject> {
    const key = `${checkNamespace(namespace)}/${randomUUID()}`;
    const path = this.pathOf(key);
    const partial = path + PARTIAL_SUFFIX;
    const digest = new Digest();
    const sink = createWriteStream(partial, { flags: 'wx', mode: 0o640 });
    try {
      await pipeline(source, digest, sink);
      await rename(partial, path);
    } catch (error) {
      // A source that fails early can beat the file's open: the sink creates the file
      // after the pipeline has failed, so it is removed only once the sink has closed.
      if (!sink.closed) await new Promise<void>((closed) => sink.once('close', () => closed()));
      await unlink(partial).catch(() => undefined);
      throw error;
    }
    return digest.result(key);
  }

  async read(key: string, range?: ReadRange): Promise<Readable> {
    try {
      // Opening first turns a missing file into an error here, before any response starts.
      const handle = await open(this.pathOf(key), 'r');
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (error) {
      if (isMissing(error)) throw new MissingObjectError(key);
      throw error;
    }
  }

  async stat(key: string): Promise<StoredObjectStat | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return { size: info.size, modifiedAt: info.mtime };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  async check(): Promise<FileStoreHealth> {
    const health: FileStoreHealth = {
      status: 'down',
      location: this.root,
      writable: false,
      free_bytes: null,
      total_bytes: null,
    };
    try {
      const probe = join(this.root, `.health-${randomUUID()}`);
      await writeFile(probe, 'ok', { flag: 'wx' });
      await unlink(probe);
      health.writable = true;
      const space = await statfs(this.root);
      health.free_bytes = space.bavail * space.bsize;
      health.total_bytes = space.blocks * space.bsize;
      health.status = 'up';
    } catch (error) {
      health.message = (error as Error).message;
    }
    return health;
  }

  /** Keys come from our database, but a path is only ever built from a well-formed one. */
  private pathOf(key: string): string {
    return join(this.root, checkKey(key));
  }

  private async removeStalePartials(directory: string): Promise<void> {
    const cutoff = Date.now() - STALE_PARTIAL_MS;
    for (const name of await readdir(directory)) {
      if (!name.endsWith(PARTIAL_SUFFIX)) continue;
      const path = join(directory, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) {
        await unlink(path).catch(() => undefined);
        this.logger.warn(`Removed a partial upload left by an interrupted process: ${name}`);
      }
    }
  }
}
