import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { iso } from '../../common/time.js';
import type { EntityView } from '../../realtime/domain-events.js';
import type { FileEntity } from '../file.entity.js';
import { FILE_CATEGORIES, type FileCategory } from '../file-categories.js';
import {
  FILE_CHECK_KINDS,
  FILE_VALIDATION_STATUSES,
  type FileCheckKind,
  type FileValidationStatus,
} from '../file.entity.js';

export class ValidationIssueDto {
  @ApiProperty({ example: 'temperature must be a number from 0 to 2' }) message: string;
  @ApiPropertyOptional({ description: '1-based line in the file', example: 4 }) line?: number;
  @ApiPropertyOptional({ description: 'Dotted path of the field', example: 'temperature' })
  path?: string;
}

export class FileValidationStateDto {
  @ApiProperty({ enum: FILE_VALIDATION_STATUSES, enumName: 'FileValidationStatus' })
  status: FileValidationStatus;

  @ApiProperty({ enum: FILE_CHECK_KINDS, enumName: 'FileCheckKind' })
  validation_type: FileCheckKind;

  @ApiProperty({ type: [ValidationIssueDto] }) errors: ValidationIssueDto[];
  @ApiProperty({ type: [ValidationIssueDto] }) warnings: ValidationIssueDto[];
  @ApiProperty({ format: 'date-time' }) validated_at: string;
}

export class FileInfoDto {
  @ApiProperty({ format: 'uuid' }) id: string;

  @ApiProperty({ description: 'Sanitised display name; used in downloads', example: 'report.csv' })
  filename: string;

  @ApiProperty({
    description: 'The name the client sent, kept as data only',
    example: '../report.csv',
  })
  original_filename: string;

  @ApiProperty({ enum: FILE_CATEGORIES, enumName: 'FileCategory' }) file_type: FileCategory;
  @ApiProperty({ description: 'Bytes' }) file_size: number;

  @ApiProperty({
    description: 'From the content check, never from the client',
    example: 'text/csv',
  })
  mime_type: string;

  @ApiProperty({ description: 'SHA-256 of the content, hex' }) checksum: string;

  @ApiProperty({ description: 'Id of the user or API key that uploaded it; `system` for backups' })
  uploaded_by: string;

  @ApiProperty({ format: 'date-time' }) uploaded_at: string;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;

  @ApiProperty({
    type: FileValidationStateDto,
    nullable: true,
    description: 'The last validation of the file as its own type; null until it ran',
  })
  validation: FileValidationStateDto | null;
}

export function toFileResponse(file: FileEntity): FileInfoDto {
  return {
    id: file.id,
    filename: file.filename,
    original_filename: file.originalFilename,
    file_type: file.fileType,
    file_size: file.fileSize,
    mime_type: file.mimeType,
    checksum: file.checksum,
    uploaded_by: file.uploadedBy,
    uploaded_at: iso(file.uploadedAt)!,
    tags: file.tags,
    metadata: file.metadata,
    validation: file.validation,
  };
}

class FilePageMetaDto {
  @ApiProperty() total: number;
  @ApiProperty() skip: number;
  @ApiProperty() limit: number;
}

/** The v2 list envelope of files. */
export class FilePageDto {
  @ApiProperty({ type: [FileInfoDto] }) data: FileInfoDto[];
  @ApiProperty({ type: FilePageMetaDto }) meta: FilePageMetaDto;
}

/** The same representation, typed for domain events. */
export function toFileEventView(file: FileInfoDto): EntityView {
  return { ...file };
}

export class FileUploadResponseDto {
  @ApiProperty({ type: [FileInfoDto] }) files: FileInfoDto[];
  @ApiProperty() total_uploaded: number;
  @ApiProperty({ description: 'Bytes' }) total_size: number;
  @ApiProperty({ format: 'uuid', description: 'Shared by the files of this request' })
  upload_session_id: string;
}

export class FileStatisticsDto {
  @ApiProperty() total_files: number;
  @ApiProperty({ description: 'Bytes' }) total_size: number;
  @ApiProperty({ example: '12.5 MB' }) total_size_formatted: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Files per category',
  })
  by_type: Record<string, number>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Files per MIME type',
  })
  by_mime_type: Record<string, number>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Files per uploader id',
  })
  by_uploader: Record<string, number>;

  @ApiProperty({
    description: 'Files uploaded in the last 24 hours, 7 days and 30 days',
    example: { today: 3, this_week: 10, this_month: 42 },
  })
  upload_trends: { today: number; this_week: number; this_month: number };
}
