import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination/page.js';
import { FILE_CATEGORIES, UPLOAD_CATEGORIES, type FileCategory } from '../file-categories.js';
import { MAX_TAGS, TAG_PATTERN } from '../upload-fields.js';

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
  @ApiPropertyOptional({
    enum: FILE_SORT_FIELDS,
    enumName: 'FileSortField',
    default: 'uploaded_at',
  })
  @IsOptional()
  @IsIn(FILE_SORT_FIELDS)
  sort_by: FileSortField = 'uploaded_at';

  @ApiPropertyOptional({ enum: FILE_CATEGORIES, enumName: 'FileCategory' })
  @IsOptional()
  @IsIn(FILE_CATEGORIES)
  file_type?: FileCategory;

  @ApiPropertyOptional({ description: 'Uploader id (user or API key)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  uploaded_by?: string;

  @ApiPropertyOptional({ example: 'text/csv' })
  @IsOptional()
  @IsString()
  @Length(1, 127)
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

  @ApiPropertyOptional({ description: 'Case-insensitive part of the file name' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  search?: string;
}

export class UploadPathDto {
  @ApiProperty({ enum: UPLOAD_CATEGORIES, enumName: 'UploadCategory' })
  @IsIn(FILE_CATEGORIES)
  file_type: FileCategory;
}

export class ValidateFileQuery {
  @ApiPropertyOptional({
    enum: FILE_VALIDATION_TYPES,
    enumName: 'FileValidationType',
    default: 'auto',
  })
  @IsOptional()
  @IsIn(FILE_VALIDATION_TYPES)
  validation_type: FileValidationType = 'auto';
}

export class UpdateFileMetadataDto {
  @ApiPropertyOptional({
    type: [String],
    description: `Replaces the tags (at most ${MAX_TAGS})`,
    example: ['nightly'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Matches(TAG_PATTERN, { each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Merged into the stored metadata (top-level keys replace); at most 16 KiB in total',
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}
