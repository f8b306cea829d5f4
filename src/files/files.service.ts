import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { NotFoundError } from '../common/errors/app-errors.js';
import { toPage, type Page } from '../common/pagination/page.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { parseByteRange } from './byte-range.js';
import { contentDisposition } from './content-disposition.js';
import type { FileDownload } from './download-response.js';
import type { FileListQuery, UpdateFileMetadataDto } from './dto/file-query.dto.js';
import {
  toFileEventView,
  toFileResponse,
  type FileInfoDto,
  type FileStatisticsDto,
} from './dto/file.dto.js';
import { assertMayModify, isVisibleTo, seesBackups } from './file-access.js';
import { backupMimeType, servedContentType } from './file-categories.js';
import { FileEntity } from './file.entity.js';
import { sanitizeFilename, storableOriginalName } from './filename.js';
import { FilesQuery } from './files.query.js';
import { formatSize } from './format-size.js';
import { FileStore, MissingObjectError, type ReadRange } from './storage/file-store.js';
import { checkMetadataSize } from './upload-fields.js';

export interface DownloadRequest {
  range?: string;
  ifRange?: string;
}

/** Reading and managing stored files (uploads are UploadService's). */
@Injectable()
export class FilesService {
  private readonly logger = new Logger('Files');

  constructor(
    private readonly query: FilesQuery,
    private readonly store: FileStore,
    private readonly events: EventBus,
  ) {}

  async list(query: FileListQuery, principal: Principal): Promise<Page<FileInfoDto>> {
    const [files, total] = await this.query.list(query, seesBackups(principal));
    return toPage(files.map(toFileResponse), total, query);
  }

  async statistics(principal: Principal): Promise<FileStatisticsDto> {
    const row = await this.query.statistics(seesBackups(principal));
    return {
      total_files: row.total_files,
      total_size: row.total_size,
      total_size_formatted: formatSize(row.total_size),
      by_type: row.by_type,
      by_mime_type: row.by_mime_type,
      by_uploader: row.by_uploader,
      upload_trends: { today: row.today, this_week: row.this_week, this_month: row.this_month },
    };
  }

  async get(id: string, principal: Principal): Promise<FileInfoDto> {
    return toFileResponse(await this.findVisible(id, principal));
  }

  /** The file, or 404 when it does not exist or is a backup the caller may not see. */
  async findVisible(id: string, principal: Principal): Promise<FileEntity> {
    const file = await this.query.findVisible(id, seesBackups(principal));
    if (!file) throw new NotFoundError('File', id);
    return file;
  }

  async openDownload(
    id: string,
    principal: Principal,
    request: DownloadRequest,
  ): Promise<FileDownload> {
    const file = await this.findVisible(id, principal);
    const etag = `"${file.checksum}"`;
    // If-Range: a client resuming a different version gets the whole new one.
    const rangeHeader = !request.ifRange || request.ifRange === etag ? request.range : undefined;
    const range = parseByteRange(rangeHeader, file.fileSize);
    if (range.kind === 'unsatisfiable') return { kind: 'unsatisfiable', size: file.fileSize };
    const partial = range.kind === 'partial' ? { start: range.start, end: range.end } : undefined;
    const headers: Record<string, string> = {
      'Content-Type': servedContentType(file.mimeType),
      'Content-Disposition': contentDisposition(file.filename),
      'Content-Length': String(partial ? partial.end - partial.start + 1 : file.fileSize),
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Last-Modified': file.uploadedAt.toUTCString(),
      'Cache-Control': 'private, no-cache',
      'X-Content-Type-Options': 'nosniff',
      // Opened directly in a browser anyway, the content runs nothing.
      'Content-Security-Policy': "default-src 'none'; sandbox",
    };
    if (partial)
      headers['Content-Range'] = `bytes ${partial.start}-${partial.end}/${file.fileSize}`;
    return {
      kind: 'content',
      status: partial ? 206 : 200,
      headers,
      stream: await this.open(file, partial),
    };
  }

  /** Opens the stored bytes; 404 when the metadata outlived them. */
  private async open(file: FileEntity, range?: ReadRange): Promise<Readable> {
    try {
      return await this.store.read(file.storageKey, range);
    } catch (error) {
      if (error instanceof MissingObjectError) throw new NotFoundError('Content of file', file.id);
      throw error;
    }
  }

  async remove(id: string, principal: Principal): Promise<void> {
    const removed = await this.query.withLocked(id, async (file, manager) => {
      if (!file || !isVisibleTo(file, principal)) throw new NotFoundError('File', id);
      assertMayModify(file, principal);
      await manager.delete(FileEntity, { id });
      return file;
    });
    // The row goes first: a failure here leaves an orphaned blob, never a row without content.
    await this.store.remove(removed.storageKey).catch((error: Error) => {
      this.logger.warn(
        `file ${id} deleted, but its content ${removed.storageKey} stays: ${error.message}`,
      );
    });
    await this.events.publish('file.deleted', { file_id: id, file_type: removed.fileType });
  }

  async updateMetadata(
    id: string,
    dto: UpdateFileMetadataDto,
    principal: Principal,
  ): Promise<FileInfoDto> {
    const updated = await this.query.withLocked(id, async (file, manager) => {
      if (!file || !isVisibleTo(file, principal)) throw new NotFoundError('File', id);
      assertMayModify(file, principal);
      if (dto.tags !== undefined) file.tags = [...new Set(dto.tags ?? [])];
      if (dto.metadata !== undefined) {
        file.metadata = { ...file.metadata, ...dto.metadata };
        checkMetadataSize(file.metadata);
      }
      return manager.save(file);
    });
    const view = toFileResponse(updated);
    await this.events.publish('file.updated', { file: toFileEventView(view) });
    return view;
  }

  /**
   * For the backup job: stores `source` in the `backups` category (never open to
   * uploads). The name is ours, so its extension gives the MIME type.
   */
  async storeBackup(
    source: Readable,
    filename: string,
    metadata: Record<string, unknown> = {},
    uploadedBy = 'system',
  ): Promise<FileInfoDto> {
    const stored = await this.store.write('backups', source);
    const name = sanitizeFilename(filename) || 'backup';
    try {
      const [file] = await this.query.insertAll([
        {
          filename: name,
          originalFilename: storableOriginalName(filename),
          fileType: 'backups',
          fileSize: stored.size,
          mimeType: backupMimeType(name),
          checksum: stored.sha256,
          storageKey: stored.key,
          uploadedBy,
          uploadSessionId: null,
          tags: [],
          metadata,
        },
      ]);
      const view = toFileResponse(file);
      await this.events.publish('file.uploaded', { file: toFileEventView(view) });
      return view;
    } catch (error) {
      await this.store.remove(stored.key);
      throw error;
    }
  }
}
