import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { Principal } from '../auth/principal.js';

import type { CachedOptions } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { ApiErrors, ApiOkMedia } from '../common/http/api-responses.js';
import { sendDownload } from './download-response.js';

const DOWNLOAD_HEADERS = {
  'Content-Disposition': {
    description: 'attachment, with the original name',
    schema: { type: 'string' },
    required: true,
  },
  'X-Content-Type-Options': { schema: { type: 'string', enum: ['nosniff'] }, required: true },
};
import {
  FileListQuery,
  UpdateFileMetadataDto,
  UploadPathDto,
  ValidateFileQuery,
} from './dto/file-query.dto.js';
import {
  FileInfoDto,
  FilePageDto,
  FileStatisticsDto,
  FileUploadResponseDto,
} from './dto/file.dto.js';
import { FileValidationResultDto } from './dto/file-validation.dto.js';
import { FilesService } from './files.service.js';
import { FileValidationService } from './file-validation.service.js';
import { UploadService } from './upload.service.js';

const CACHE: CachedOptions = { families: ['files'], ttlSeconds: 60 };

@ApiTags('files')
@Controller({ path: 'files', version: '2' })
export class FilesController {
  constructor(
    private readonly uploads: UploadService,
    private readonly files: FilesService,
    private readonly validation: FileValidationService,
  ) {}

  @Post('upload/:file_type')
  @Auth('operator')
  @RateLimit('upload')
  @ApiOperation({
    summary: 'Upload files into a category (all or nothing)',
    description:
      'Streamed to disk; each file must have an extension of the category and matching content. ' +
      '413 when a file exceeds MAX_FILE_SIZE or there are more than MAX_FILES_PER_UPLOAD files; ' +
      '415 when an extension or content is refused; 403 for `backups`. If any file is refused, none is kept.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['files'],
      properties: {
        files: { type: 'array', items: { type: 'string', format: 'binary' } },
        tags: {
          type: 'string',
          description: 'Comma list, each [A-Za-z0-9_.:-]{1,50}, at most 20',
          example: 'nightly,ci',
        },
        metadata: {
          type: 'string',
          description: 'A JSON object, at most 16 KiB',
          example: '{"source": "ci"}',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: FileUploadResponseDto })
  @ApiErrors(
    [413, 'A file is too large, or too many files'],
    [415, 'An extension or a content is refused'],
  )
  upload(
    @Param() path: UploadPathDto,
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FileUploadResponseDto> {
    return this.uploads.upload(path.file_type, request, principal);
  }

  @Get()
  @Read({
    summary: 'List files (backups only for admins)',
    type: FilePageDto,
    agent: false,
    cached: { families: ['files'], ttlSeconds: 30 },
  })
  list(
    @Query() query: FileListQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<FileInfoDto>> {
    return this.files.list(query, principal);
  }

  @Get('statistics')
  @Read({
    summary: 'Counts and sizes per category, MIME type and uploader, and recent uploads',
    type: FileStatisticsDto,
    agent: false,
    cached: CACHE,
  })
  statistics(@CurrentPrincipal() principal: Principal): Promise<FileStatisticsDto> {
    return this.files.statistics(principal);
  }

  @Get(':id')
  @Read({ summary: 'One file', type: FileInfoDto, agent: false, cached: CACHE })
  get(@UuidParam() id: string, @CurrentPrincipal() principal: Principal): Promise<FileInfoDto> {
    return this.files.get(id, principal);
  }

  @Get(':id/download')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Download the content (streamed; Range supported)',
    description:
      'Content-Disposition: attachment with the name in ASCII and UTF-8 (RFC 6266/5987); ' +
      'Content-Type from our own content check; X-Content-Type-Options: nosniff. ' +
      '`Range: bytes=a-b` gives 206 with Content-Range; an unsatisfiable range gives 416.',
  })
  @ApiOkMedia('*/*', 'The whole file, with the type our content check found', {
    binary: true,
    headers: DOWNLOAD_HEADERS,
  })
  @ApiOkMedia('*/*', 'The requested range (Content-Range says which)', {
    status: 206,
    binary: true,
    headers: DOWNLOAD_HEADERS,
  })
  @ApiErrors(404, [416, 'The range starts beyond the end of the file'])
  async download(
    @UuidParam() id: string,
    @Headers('range') range: string | undefined,
    @Headers('if-range') ifRange: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() response: Response,
  ): Promise<void> {
    sendDownload(response, await this.files.openDownload(id, principal, { range, ifRange }));
  }

  @Delete(':id')
  @Write({ summary: 'Delete a file (its uploader or an admin)', status: 204 })
  remove(@UuidParam() id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.files.remove(id, principal);
  }

  @Put(':id/metadata')
  @Write({
    summary: 'Replace tags and merge metadata (its uploader or an admin)',
    type: FileInfoDto,
  })
  updateMetadata(
    @UuidParam() id: string,
    @Body() dto: UpdateFileMetadataDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FileInfoDto> {
    return this.files.updateMetadata(id, dto, principal);
  }

  @Post(':id/validate')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Validate the content (auto | json | yaml | agent_config)',
    description:
      "`auto` runs the check of the file's own type (agent_config for agent_configs, json/yaml by extension, " +
      'UTF-8 and CSV shape for text, signatures for binary files); that result is also kept on the file.',
  })
  @ApiOkResponse({ type: FileValidationResultDto })
  validate(
    @UuidParam() id: string,
    @Query() query: ValidateFileQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FileValidationResultDto> {
    return this.validation.validate(id, query.validation_type, principal);
  }
}
