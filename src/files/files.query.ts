import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Not, Repository, SelectQueryBuilder } from 'typeorm';
import type { FileListQuery } from './dto/file-query.dto.js';
import { FileEntity, type StoredValidation } from './file.entity.js';

export interface FileStatisticsRow {
  total_files: number;
  total_size: number;
  by_type: Record<string, number>;
  by_mime_type: Record<string, number>;
  by_uploader: Record<string, number>;
  today: number;
  this_week: number;
  this_month: number;
}

const SORT_COLUMNS: Record<FileListQuery['sort_by'], string> = {
  filename: 'f.filename',
  file_size: 'f.file_size',
  file_type: 'f.file_type',
  uploaded_at: 'f.uploaded_at',
};

/** Escapes LIKE wildcards so that a search for `50%` means those characters. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** Every query of the files module. `includeBackups` is false for non-admins: backups stay invisible to them. */
@Injectable()
export class FilesQuery {
  constructor(
    @InjectRepository(FileEntity) private readonly files: Repository<FileEntity>,
    private readonly dataSource: DataSource,
  ) {}

  findById(id: string): Promise<FileEntity | null> {
    return this.files.findOne({ where: { id } });
  }

  findVisible(id: string, includeBackups: boolean): Promise<FileEntity | null> {
    return this.files.findOne({
      where: includeBackups ? { id } : { id, fileType: Not('backups' as const) },
    });
  }

  async list(query: FileListQuery, includeBackups: boolean): Promise<[FileEntity[], number]> {
    const builder = this.visible(includeBackups);
    if (query.file_type) builder.andWhere('f.file_type = :fileType', { fileType: query.file_type });
    if (query.uploaded_by)
      builder.andWhere('f.uploaded_by = :uploadedBy', { uploadedBy: query.uploaded_by });
    if (query.mime_type) builder.andWhere('f.mime_type = :mimeType', { mimeType: query.mime_type });
    if (query.tags?.length) builder.andWhere('f.tags && :tags::text[]', { tags: query.tags });
    if (query.search) {
      builder.andWhere('(f.filename ILIKE :search OR f.original_filename ILIKE :search)', {
        search: likePattern(query.search),
      });
    }
    const order = query.sort_order === 'asc' ? 'ASC' : 'DESC';
    return builder
      .orderBy(SORT_COLUMNS[query.sort_by], order)
      .addOrderBy('f.id', order)
      .skip(query.skip)
      .take(query.limit)
      .getManyAndCount();
  }

  /** Every figure of the statistics in one round trip. */
  async statistics(includeBackups: boolean): Promise<FileStatisticsRow> {
    const [row] = await this.dataSource.query<Record<string, unknown>[]>(
      `WITH visible AS (
         SELECT file_type, mime_type, uploaded_by, file_size, uploaded_at
         FROM files WHERE $1 OR file_type <> 'backups'
       )
       SELECT
         (SELECT count(*) FROM visible)::int AS total_files,
         (SELECT coalesce(sum(file_size), 0) FROM visible)::bigint AS total_size,
         (SELECT coalesce(jsonb_object_agg(file_type, n), '{}') FROM
            (SELECT file_type, count(*)::int AS n FROM visible GROUP BY file_type) t) AS by_type,
         (SELECT coalesce(jsonb_object_agg(mime_type, n), '{}') FROM
            (SELECT mime_type, count(*)::int AS n FROM visible GROUP BY mime_type) t) AS by_mime_type,
         (SELECT coalesce(jsonb_object_agg(uploaded_by, n), '{}') FROM
            (SELECT uploaded_by, count(*)::int AS n FROM visible GROUP BY uploaded_by) t) AS by_uploader,
         (SELECT count(*) FROM visible WHERE uploaded_at >= now() - interval '1 day')::int AS today,
         (SELECT count(*) FROM visible WHERE uploaded_at >= now() - interval '7 days')::int AS this_week,
         (SELECT count(*) FROM visible WHERE uploaded_at >= now() - interval '30 days')::int AS this_month`,
      [includeBackups],
    );
    return { ...row, total_size: Number(row.total_size) } as FileStatisticsRow;
  }

  /** All rows of one upload, or none. */
  insertAll(rows: Partial<FileEntity>[]): Promise<FileEntity[]> {
    return this.dataSource.transaction((manager) =>
      manager.getRepository(FileEntity).save(rows.map((row) => manager.create(FileEntity, row))),
    );
  }

  /** Runs `work` on the row locked for update; null when it does not exist. */
  withLocked<T>(
    id: string,
    work: (file: FileEntity | null, manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const file = await manager.findOne(FileEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      return work(file, manager);
    });
  }

  /** Stores a validation result; null when the file is gone. */
  async setValidation(id: string, validation: StoredValidation): Promise<FileEntity | null> {
    const result = await this.files.update({ id }, { validation });
    if (!result.affected) return null;
    return this.findById(id);
  }

  private visible(includeBackups: boolean): SelectQueryBuilder<FileEntity> {
    const builder = this.files.createQueryBuilder('f');
    if (!includeBackups) builder.where("f.file_type <> 'backups'");
    else builder.where('TRUE');
    return builder;
  }
}
