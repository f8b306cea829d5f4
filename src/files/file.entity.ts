import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { FileCategory } from './file-categories.js';
import type { ValidationIssue } from './validation-issue.js';

export const FILE_VALIDATION_STATUSES = ['valid', 'invalid'] as const;
export type FileValidationStatus = (typeof FILE_VALIDATION_STATUSES)[number];

/** The content check actually run (`auto` resolves to one of these). */
export const FILE_CHECK_KINDS = ['json', 'yaml', 'agent_config', 'text', 'binary'] as const;
export type FileCheckKind = (typeof FILE_CHECK_KINDS)[number];

/** The last validation of the file as its own type (by the job or the validate route). */
export interface StoredValidation {
  status: FileValidationStatus;
  validation_type: FileCheckKind;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  validated_at: string;
}

const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** Metadata of a stored file; the bytes live in the FileStore under `storageKey`. */
@Entity('files')
@Check(
  'files_file_type_check',
  `"file_type" IN ('agent_configs', 'data_files', 'images', 'documents', 'backups')`,
)
@Index('files_file_type_uploaded_at_idx', ['fileType', 'uploadedAt'])
@Index('files_tags_gin', ['tags'], { type: 'gin' })
export class FileEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'files_pkey' })
  id: string;

  /** Sanitised display name (used in Content-Disposition). */
  @Column({ type: 'varchar', length: 255 })
  filename: string;

  /** The client's name, kept as data only. */
  @Column({ type: 'varchar', length: 1024 })
  originalFilename: string;

  @Column({ type: 'varchar', length: 32 })
  fileType: FileCategory;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  fileSize: number;

  /** From our own content check, never from the client. */
  @Index('files_mime_type_idx')
  @Column({ type: 'varchar', length: 127 })
  mimeType: string;

  /** SHA-256 of the content, hex. */
  @Column({ type: 'char', length: 64 })
  checksum: string;

  /** Server-generated name in the FileStore. */
  @Index('files_storage_key_key', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  storageKey: string;

  /** Id of the user or API key that uploaded it; `system` for backups. */
  @Index('files_uploaded_by_idx')
  @Column({ type: 'varchar', length: 64 })
  uploadedBy: string;

  /** Files of one upload request share it. */
  @Column({ type: 'uuid', nullable: true })
  uploadSessionId: string | null;

  @Index('files_uploaded_at_idx')
  @Column({ type: 'timestamptz', default: () => 'now()' })
  uploadedAt: Date;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  validation: StoredValidation | null;
}
