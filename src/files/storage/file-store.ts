import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { AppError } from '../../common/errors/app-errors.js';

/** What a completed write produced. */
export interface StoredObject {
  /** Server-generated: `<namespace>/<uuid>`. */
  key: string;
  size: number;
  /** SHA-256 of the bytes written, hex. */
  sha256: string;
}

export interface StoredObjectStat {
  size: number;
  modifiedAt: Date;
}

/** Inclusive byte range. */
export interface ReadRange {
  start: number;
  end: number;
}

export interface FileStoreHealth {
  status: 'up' | 'down';
  location: string;
  writable: boolean;
  free_bytes: number | null;
  total_bytes: number | null;
  message?: string;
}

/** The stored bytes for a key are gone (deleted by hand, or a lost volume). */
export class MissingObjectError extends Error {
  constructor(readonly key: string) {
    super(`No stored content for ${key}`);
  }
}

/** 503: the store could not be reached or refused the operation; nothing was kept. */
export class FileStoreUnavailableError extends AppError {
  constructor(detail: string) {
    super(503, `The file store is unavailable: ${detail}`);
  }
}

/**
 * Where file contents live, behind one contract so that the rest of the module
 * never touches paths. FILE_STORE picks the implementation in FilesModule:
 * LocalFileStore (under UPLOAD_DIR, shared by api and worker processes through a
 * common volume) or S3FileStore (an S3-compatible bucket: no shared disk needed).
 */
export abstract class FileStore {
  /** Prepares the store for these namespaces (directories, buckets); called at start-up. */
  abstract init(namespaces: readonly string[]): Promise<void>;

  /**
   * Streams `source` into a new object under a server-generated key, hashing and
   * counting as it goes. If `source` fails (e.g. a size limit), nothing is left behind.
   */
  abstract write(namespace: string, source: Readable): Promise<StoredObject>;

  /** Opens the object (or a range of it); throws MissingObjectError when it is gone. */
  abstract read(key: string, range?: ReadRange): Promise<Readable>;

  abstract stat(key: string): Promise<StoredObjectStat | undefined>;

  /** Removes the object; removing a missing one is not an error. */
  abstract remove(key: string): Promise<void>;

  /** For health checks: reachable, writable, and how much room is left (unknown for buckets). */
  abstract check(): Promise<FileStoreHealth>;
}

/** Reads a range of an object into memory: only for small, bounded reads. */
export async function readBytes(store: FileStore, key: string, range: ReadRange): Promise<Buffer> {
  if (range.end < range.start) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key, range)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const NAMESPACE = /^[a-z][a-z0-9_]{0,63}$/;
const KEY = /^[a-z][a-z0-9_]{0,63}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Keys come from our database, but a store only ever addresses a well-formed one. */
export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`Refusing a malformed storage key: ${key}`);
  return key;
}

export function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw new Error(`Refusing a malformed namespace: ${namespace}`);
  return namespace;
}

/**
 * Passes bytes through, hashing and counting them. (No `size` or `length` field:
 * the S3 SDK would read it as the body's length.)
 */
export class Digest extends Transform {
  private readonly hash = createHash('sha256');
  private counted = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.counted += chunk.length;
    callback(null, chunk);
  }

  /** Once the stream has ended. */
  result(key: string): StoredObject {
    return { key, size: this.counted, sha256: this.hash.digest('hex') };
  }
}
