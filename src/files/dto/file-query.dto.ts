import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination/page.js';
import { FILE_CATEGORIES, UPLOAD_CATEGORIES, type FileCategory } from '../file-categories.js';
import { MAX_TAGS, TAG_PATTERN } from '../upload-fields.js';
import { EnumField, ObjectField, TextField } from '../../common/validation/fields.js';

export const FILE_SORT_FIELDS = ['filename', 'file_size', 'file_type', 'uploaded_at'] as const;
export type FileSortField = (typeof FILE_SORT_FIELDS)[number];

export const FILE_VALIDATION_TYPES = ['auto', 'json', 'yaml', 'agent_config'] as const;
export type FileValidationType = (typeof FILE_VALIDATION_TYPES)[number];

const commaList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? [
        ...new Set(
          value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
        ),
      ]
    : value;

export class FileListQuery extends PageQuery {
  @EnumField(FILE_SORT_FIELDS, 'FileSortField', {
    optional: true,
    doc: { default: 'uploaded_at' },
  })
  sort_by: FileSortField = 'uploaded_at';

  @EnumField(FILE_CATEGORIES, 'FileCategory', { optional: true })
  file_type?: FileCategory;

  @TextField(
    { min: 1, max: 64 },
    { optional: true, doc: { description: 'Uploader id (user or API key)' } },
  )
  uploaded_by?: string;

  @TextField({ min: 1, max: 127 }, { optional: true, doc: { example: 'text/csv' } })
  mime_type?: string;

  @ApiPropertyOptional({
    type: String,
    description: 'Comma list; files having any of them',
    example: 'nightly,ci',
  })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @Matches(TAG_PATTERN, { each: true })
  tags?: string[];

  @TextField(
    { min: 1, max: 255 },
    { optional: true, doc: { description: 'Case-insensitive part of the file name' } },
  )
  search?: string;
}

export class UploadPathDto {
  @ApiProperty({ enum: UPLOAD_CATEGORIES, enumName: 'UploadCategory' })
  @IsIn(FILE_CATEGORIES)
  file_type: FileCategory;
}

export class ValidateFileQuery {
  @EnumField(FILE_VALIDATION_TYPES, 'FileValidationType', {
    optional: true,
    doc: { default: 'auto' },
  })
  validation_type: FileValidationType = 'auto';
}

export class UpdateFileMetadataDto {
  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description: `Replaces the tags (at most ${MAX_TAGS}); null clears them`,
    example: ['nightly'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Matches(TAG_PATTERN, { each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ObjectField({
    optional: true,
    doc: {
      description:
        'Merged into the stored metadata (top-level keys replace); at most 16 KiB in total',
    },
  })
  metadata?: Record<string, unknown>;
}
