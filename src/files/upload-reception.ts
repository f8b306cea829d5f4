import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { AppError, BadRequestError } from '../common/errors/app-errors.js';
import { ContentInspector } from './content-inspector.js';
import { CATEGORY_EXTENSIONS, ruleFor, type UploadCategory } from './file-categories.js';
import { sanitizeFilename, storableOriginalName } from './filename.js';
import { readBytes, type FileStore } from './storage/file-store.js';
import { checkStoredContent } from './stored-content.js';
import { UploadTooLargeError, FileTypeRefusedError, badField } from './upload-errors.js';
import { MAX_METADATA_BYTES, parseMetadata, parseTags } from './upload-fields.js';

export interface ReceivedFile {
  index: number;
  key: string;
  size: number;
  sha256: string;
  filename: string;
  originalFilename: string;
  mimeType: string;
}

export interface ReceivedUpload {
  files: ReceivedFile[];
  tags: string[];
  metadata: Record<string, unknown>;
}

export interface UploadLimits {
  maxFileSize: number;
  maxFiles: number;
}

const FILE_FIELD = 'files';
const FORM_FIELDS = ['tags', 'metadata'];

/**
 * One multipart upload request, streamed: each file part goes through the content
 * inspector into the store as it arrives, so memory stays flat whatever the size.
 * The first refusal stops reading and removes every file this request stored, so a
 * request either keeps all its files or none.
 */
export class UploadReception {
  private readonly stored: string[] = [];
  private readonly files: ReceivedFile[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly inFlight = new Set<ContentInspector>();
  private readonly seenFields = new Set<string>();
  private tags: string[] = [];
  private metadata: Record<string, unknown> = {};
  private parts = 0;
  private failure?: Error;
  private stopped?: () => void;
  private parser?: busboy.Busboy;

  constructor(
    private readonly request: IncomingMessage,
    private readonly category: UploadCategory,
    private readonly store: FileStore,
    private readonly limits: UploadLimits,
  ) {}

  async run(): Promise<ReceivedUpload> {
    const parser = this.createParser();
    this.parser = parser;
    const stopped = new Promise<void>((resolveStop) => (this.stopped = resolveStop));
    parser.on('file', (name: string, stream: Readable, info: busboy.FileInfo) =>
      this.onFile(name, stream, info),
    );
    parser.on('field', (name: string, value: string, info: busboy.FieldInfo) =>
      this.guard(() => this.onField(name, value, info)),
    );
    parser.on('filesLimit', () =>
      this.fail(
        new UploadTooLargeError(
          FILE_FIELD,
          `At most ${this.limits.maxFiles} files per upload (MAX_FILES_PER_UPLOAD)`,
        ),
      ),
    );
    parser.on('fieldsLimit', () => this.fail(new BadRequestError('Too many form fields')));
    parser.on('partsLimit', () => this.fail(new BadRequestError('Too many form parts')));
    parser.on('error', (error: Error) =>
      this.fail(new BadRequestError(`Malformed multipart body: ${error.message}`)),
    );
    parser.on('close', () => this.stopped?.());
    this.request.on('close', () => {
      if (!this.request.complete) this.fail(new BadRequestError('The upload was interrupted'));
    });
    this.request.pipe(parser);

    await stopped;
    // Parts that ended are still being written and checked.
    await Promise.allSettled(this.pending);
    if (!this.failure && this.files.length === 0) {
      this.failure = badField(
        FILE_FIELD,
        'at least one file is required (multipart field "files")',
      );
    }
    if (this.failure !== undefined) {
      await this.discard();
      throw this.failure;
    }
    return {
      files: [...this.files].sort((a, b) => a.index - b.index),
      tags: this.tags,
      metadata: this.metadata,
    };
  }

  /** Removes whatever this request stored (used by the caller too, when saving fails). */
  async discard(): Promise<void> {
    await Promise.all(this.stored.splice(0).map((key) => this.store.remove(key)));
  }

  private createParser(): busboy.Busboy {
    const type = this.request.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;/i.test(type)) {
      throw new AppError(415, 'Uploads must be sent as multipart/form-data');
    }
    try {
      return busboy({
        headers: this.request.headers,
        // Our own sanitiser needs the name as sent, path included, and UTF-8 names decoded as such.
        preservePath: true,
        defParamCharset: 'utf8',
        limits: {
          files: this.limits.maxFiles,
          fields: FORM_FIELDS.length * 2,
          fieldSize: MAX_METADATA_BYTES + 1,
          parts: this.limits.maxFiles + FORM_FIELDS.length * 2,
          headerPairs: 20,
        },
      });
    } catch (error) {
      throw new BadRequestError(`Malformed multipart request: ${(error as Error).message}`);
    }
  }

  private onFile(name: string, stream: Readable, info: busboy.FileInfo): void {
    const index = this.parts++;
    if (this.failure !== undefined) {
      stream.resume();
      return;
    }
    if (name !== FILE_FIELD) {
      stream.resume();
      this.fail(badField(name, `files must be sent in the multipart field "${FILE_FIELD}"`));
      return;
    }
    this.pending.push(
      this.receiveFile(index, stream, info).catch((error: unknown) => this.fail(error)),
    );
  }

  private async receiveFile(index: number, stream: Readable, info: busboy.FileInfo): Promise<void> {
    const field = `${FILE_FIELD}.${index}`;
    const sent = info.filename ?? '';
    const filename = sanitizeFilename(sent);
    const rule = ruleFor(this.category, filename);
    if (!rule) {
      stream.resume();
      throw new FileTypeRefusedError(
        field,
        `"${filename || sent.slice(0, 100)}" does not have an extension accepted for ${this.category} (${CATEGORY_EXTENSIONS[this.category].join(', ')})`,
      );
    }
    const inspector = new ContentInspector({
      field,
      name: filename,
      rule,
      maxBytes: this.limits.maxFileSize,
    });
    stream.once('error', (error) => inspector.destroy(error));
    stream.pipe(inspector);
    this.inFlight.add(inspector);
    let stored;
    try {
      stored = await this.store.write(this.category, inspector);
    } finally {
      this.inFlight.delete(inspector);
    }
    this.stored.push(stored.key);
    const read = (start: number, end: number) => readBytes(this.store, stored.key, { start, end });
    const problems = await checkStoredContent(read, stored.size, rule);
    if (problems.length) {
      const where = problems[0].line ? ` (line ${problems[0].line})` : '';
      throw new FileTypeRefusedError(field, `"${filename}": ${problems[0].message}${where}`);
    }
    this.files.push({
      index,
      key: stored.key,
      size: stored.size,
      sha256: stored.sha256,
      filename,
      originalFilename: storableOriginalName(sent),
      mimeType: rule.mimeType,
    });
  }

  private onField(name: string, value: string, info: busboy.FieldInfo): void {
    if (!FORM_FIELDS.includes(name))
      throw badField(name, 'is not an accepted field (files, tags, metadata)');
    if (this.seenFields.has(name)) throw badField(name, 'is given more than once');
    this.seenFields.add(name);
    if (info.valueTruncated) throw badField(name, `must be at most ${MAX_METADATA_BYTES} bytes`);
    if (name === 'tags') this.tags = parseTags(value);
    else this.metadata = parseMetadata(value);
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.fail(error);
    }
  }

  /** The first refusal wins: stop reading the request and abort the files in flight. */
  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    if (this.parser) this.request.unpipe(this.parser);
    // The rest of the body is read and dropped, so the client gets our answer on a healthy connection.
    this.request.resume();
    for (const inspector of this.inFlight) inspector.destroy(this.failure);
    this.stopped?.();
  }
}
