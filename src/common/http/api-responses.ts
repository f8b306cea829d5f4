import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProduces,
  ApiProperty,
  type ApiPropertyOptions,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

/** One field of a 400's `details`. */
export class FieldErrorDto {
  @ApiProperty({ example: 'name' }) field: string;
  @ApiProperty({ example: 'name should not be empty' }) message: string;
}

/** The contract's one error shape, for every 4xx and 5xx. */
export class ErrorResponseDto {
  @ApiProperty({ example: 404 }) status_code: number;
  @ApiProperty({ example: 'Not Found' }) error: string;
  @ApiProperty({ example: 'Agent 0b9f... not found' }) message: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) details?: FieldErrorDto[];
  @ApiProperty({ example: '4f1c2d0e-...' }) request_id: string;
}

/** The v2 list envelope's `meta`. */
export class PageMetaDto {
  @ApiProperty({ minimum: 0, example: 1 }) total: number;
  @ApiProperty({ minimum: 0, example: 0 }) skip: number;
  @ApiProperty({ minimum: 1, example: 50 }) limit: number;
}

const pageClasses = new Map<Type, Type>();

/** `{data: [Item], meta}`: the v2 list envelope of `item`, one named schema per item type. */
export function PageOf<T>(item: Type<T>): Type<{ data: T[]; meta: PageMetaDto }> {
  const known = pageClasses.get(item);
  if (known) return known as Type<{ data: T[]; meta: PageMetaDto }>;
  class PageDto {
    @ApiProperty({ type: [item] }) data: T[];
    @ApiProperty({ type: PageMetaDto }) meta: PageMetaDto;
  }
  const name = `${item.name.replace(/(Response)?Dto$/, '')}PageDto`;
  Object.defineProperty(PageDto, 'name', { value: name });
  pageClasses.set(item, PageDto);
  return PageDto;
}

/** Headers of every v2 list answer. */
export const PAGINATION_HEADERS = {
  'X-Total-Count': { description: 'Items matching the filters', schema: { type: 'integer' } },
  'X-Page-Size': { description: 'The limit used', schema: { type: 'integer' } },
  'X-Current-Page': { description: '1-based page of skip/limit', schema: { type: 'integer' } },
  'X-Total-Pages': { description: 'Pages at this limit', schema: { type: 'integer' } },
} as const;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (unknown fields, wrong types, bad ids)',
  401: 'No credential, or an invalid, expired or revoked one',
  403: 'The credential’s role may not do this',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  429: 'Rate limited; retry after Retry-After seconds',
  503: 'A dependency (database, Redis, Socket.IO) is unavailable',
};

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 416 | 429 | 503;

/** Documents error statuses, each with the one error schema (and an optional description). */
export function ApiErrors(...statuses: (ErrorStatus | [ErrorStatus, string])[]) {
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...statuses.map((entry) => {
      const [status, description] = Array.isArray(entry)
        ? entry
        : [entry, ERROR_DESCRIPTIONS[entry]];
      return ApiResponse({ status, description, type: ErrorResponseDto });
    }),
  );
}

interface SuccessOptions {
  description?: string;
  /** Items of a v2 list: documents `PageOf(type)` and the pagination headers. */
  page?: boolean;
  isArray?: boolean;
}

function success(status: number, type: Type, options: SuccessOptions) {
  if (options.page)
    return ApiResponse({
      status,
      description: options.description ?? 'One page',
      type: PageOf(type),
      headers: PAGINATION_HEADERS,
    });
  return ApiResponse({
    status,
    description: options.description ?? (status === 201 ? 'Created' : 'OK'),
    type,
    isArray: options.isArray,
  });
}

/** 200 with `type` as its body (`{page: true}` for a v2 list of `type`). */
export function ApiOk(type: Type, options: SuccessOptions = {}) {
  return success(200, type, options);
}

/** 201 with `type` as its body. */
export function ApiCreated(type: Type, options: SuccessOptions = {}) {
  return success(201, type, options);
}

/** 204 without a body. */
export function ApiNoContent(description = 'Done; no body') {
  return ApiResponse({ status: 204, description });
}

/** A success answer that is not JSON: a download, CSV, Prometheus text, an event stream. */
export function ApiOkMedia(
  mediaType: string,
  description: string,
  options: { status?: number; binary?: boolean; headers?: Record<string, unknown> } = {},
) {
  const schema = options.binary ? { type: 'string', format: 'binary' } : { type: 'string' };
  return applyDecorators(
    ApiProduces(mediaType),
    ApiResponse({
      status: options.status ?? 200,
      description,
      content: { [mediaType]: { schema } },
      headers: options.headers as never,
    }),
  );
}

/** A schema reference for hand-written response schemas. */
export const refTo = (type: Type) => ({ $ref: getSchemaPath(type) });

/** Any JSON value (a job's result, a parsed document), or null. */
export const ANY_JSON_OR_NULL: ApiPropertyOptions = {
  nullable: true,
  oneOf: [
    { type: 'object', additionalProperties: true },
    { type: 'array', items: {} },
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
  ],
};
