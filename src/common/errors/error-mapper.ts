import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import {
  EntityNotFoundError,
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { AppError, FieldError } from './app-errors.js';

export interface ErrorBody {
  status_code: number;
  error: string;
  message: string;
  details?: FieldError[];
  request_id?: string;
  [extra: string]: unknown;
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True when this is a bug or an outage worth a stack trace in the log. */
  unexpected: boolean;
}

const PG_UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

function reason(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name
    ? name
        .toLowerCase()
        .split('_')
        .map((word) => word[0].toUpperCase() + word.slice(1))
        .join(' ')
    : 'Error';
}

function body(
  status: number,
  message: string,
  details?: FieldError[],
  extra?: Record<string, unknown>,
): ErrorBody {
  return {
    status_code: status,
    error: reason(status),
    message,
    ...(details?.length ? { details } : {}),
    ...extra,
  };
}

function isUnavailable(error: { code?: unknown; message?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  const message = typeof error.message === 'string' ? error.message : '';
  return (
    PG_UNAVAILABLE_CODES.has(code) ||
    NETWORK_CODES.has(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Connection is closed|connect ECONNREFUSED|Stream isn't writeable|max retries per request/i.test(
      message,
    )
  );
}

function mapQueryFailed(
  error: QueryFailedError & { code?: string; detail?: string; constraint?: string },
): MappedError | undefined {
  switch (error.code) {
    case '23505':
      return {
        status: 409,
        body: body(409, 'A record with the same unique values already exists'),
        unexpected: false,
      };
    case '23503':
      return {
        status: 409,
        body: body(
          409,
          'The change conflicts with a related record (it is referenced or the reference does not exist)',
        ),
        unexpected: false,
      };
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return {
        status: 400,
        body: body(400, 'A value has an invalid format or is out of range'),
        unexpected: false,
      };
    // NUL or a character the encoding lacks, e.g. `%00` in a query filter.
    case '22021':
    case '22P05':
      return {
        status: 400,
        body: body(400, 'A value contains a character that cannot be stored (such as NUL)'),
        unexpected: false,
      };
    case '57014':
      return {
        status: 503,
        body: body(503, 'The database did not answer in time'),
        unexpected: true,
      };
    case '40001':
    case '40P01':
      return {
        status: 409,
        body: body(409, 'A concurrent change conflicted with this one; retry the request'),
        unexpected: false,
      };
    default:
      return undefined;
  }
}

interface HealthCheckResultLike {
  status: string;
  error: Record<string, { status: string; message?: unknown }>;
  details: Record<string, unknown>;
}

/** The body @nestjs/terminus throws when a check fails. */
function isHealthCheckResult(value: unknown): value is HealthCheckResultLike {
  const candidate = value as Partial<HealthCheckResultLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.status === 'error' &&
    typeof candidate.error === 'object'
  );
}

/** Maps anything thrown to the contract's error shape (without the request id). */
export function mapError(exception: unknown): MappedError {
  if (exception instanceof AppError) {
    return {
      status: exception.statusCode,
      body: body(exception.statusCode, exception.message, exception.details, exception.extra),
      unexpected: exception.statusCode >= 500,
    };
  }
  if (exception instanceof ThrottlerException) {
    return {
      status: 429,
      body: body(429, 'Too many requests; retry after the time in Retry-After'),
      unexpected: false,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    let details: FieldError[] | undefined;
    let extra: Record<string, unknown> | undefined;
    if (isHealthCheckResult(response)) {
      const failing = Object.entries(response.error);
      return {
        status,
        body: body(
          status,
          `Not ready: ${failing.map(([name]) => name).join(', ')}`,
          failing.map(([field, check]) => ({
            field,
            message: typeof check.message === 'string' ? check.message : check.status,
          })),
          { checks: response.details },
        ),
        unexpected: false,
      };
    }
    if (typeof response === 'object' && response !== null) {
      const payload = response as {
        message?: unknown;
        details?: FieldError[];
        extra?: Record<string, unknown>;
      };
      if (typeof payload.message === 'string') message = payload.message;
      else if (Array.isArray(payload.message)) message = payload.message.join('; ');
      details = payload.details;
      extra = payload.extra;
    }
    return { status, body: body(status, message, details, extra), unexpected: status >= 500 };
  }
  if (exception instanceof EntityNotFoundError) {
    return { status: 404, body: body(404, 'Not found'), unexpected: false };
  }
  if (exception instanceof QueryFailedError) {
    const mapped = mapQueryFailed(exception);
    if (mapped) return mapped;
  }
  // TypeORM releases a transaction's connection when PostgreSQL drops it (a restart):
  // the next statement of that transaction then fails with one of these.
  if (
    exception instanceof QueryRunnerAlreadyReleasedError ||
    exception instanceof QueryRunnerProviderAlreadyReleasedError
  ) {
    return {
      status: 503,
      body: body(503, 'The database connection was lost during the request; retry shortly'),
      unexpected: true,
    };
  }
  if (typeof exception === 'object' && exception !== null) {
    const error = exception as {
      status?: unknown;
      statusCode?: unknown;
      expose?: unknown;
      type?: unknown;
      message?: unknown;
    };
    // body-parser and other http-errors style errors meant for the client
    const status = typeof error.status === 'number' ? error.status : error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500 && error.expose !== false) {
      const message =
        error.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON'
          : error.type === 'entity.too.large'
            ? 'The request body is larger than the limit'
            : typeof error.message === 'string'
              ? error.message
              : reason(status);
      return { status, body: body(status, message), unexpected: false };
    }
    if (isUnavailable(error)) {
      return {
        status: 503,
        body: body(503, 'A backing service (database or Redis) is unavailable; retry shortly'),
        unexpected: true,
      };
    }
  }
  return { status: 500, body: body(500, 'Internal server error'), unexpected: true };
}
