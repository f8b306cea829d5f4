import type { Readable } from 'node:stream';

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

/**
 * Where file contents live, behind one contract so that the rest of the module
 * never touches paths. The local-disk store (LocalFileStore, under UPLOAD_DIR,
 * shared by api and worker processes through a common volume) is the only one
 * today; an S3-compatible store would implement the same methods (write as a
 * streamed multipart upload, read as a ranged GetObject, check as a bucket probe)
 * and be bound in FilesModule instead.
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

  /** For health checks: reachable, writable, and how much room is left. */
  abstract check(): Promise<FileStoreHealth>;
}

/** Reads a range of an object into memory: only for small, bounded reads. */
export async function readBytes(store: FileStore, key: string, range: ReadRange): Promise<Buffer> {
  if (range.end < range.start) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key, range)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
