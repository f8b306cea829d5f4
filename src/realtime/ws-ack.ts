import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BadRequestError } from '../common/errors/app-errors.js';
import { mapError } from '../common/errors/error-mapper.js';
import { JSON_PROBLEM_MESSAGES, valueProblem } from '../common/http/json-limits.js';
import { flattenValidationErrors } from '../common/validation/validation-pipe.js';

export interface AckError {
  ok: false;
  error: { status_code: number; message: string; details?: { field: string; message: string }[] };
}

export function ackError(error: unknown): AckError {
  const { body } = mapError(error);
  return {
    ok: false,
    error: {
      status_code: body.status_code,
      message: body.message,
      ...(body.details ? { details: body.details } : {}),
    },
  };
}

/** Runs a message handler and turns its outcome into the acknowledgement `{ok, ...}` or `{ok: false, error}`. */
export async function acknowledge<T extends object>(
  work: () => Promise<T> | T,
): Promise<({ ok: true } & T) | AckError> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    return ackError(error);
  }
}

/** Validates a socket message body with the same rules as the REST DTOs (unknown fields refused). */
export async function validateMessage<T extends object>(
  dto: new () => T,
  payload: unknown,
): Promise<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new BadRequestError('The message body must be an object');
  }
  const problem = valueProblem(payload);
  if (problem) throw new BadRequestError(`The message ${JSON_PROBLEM_MESSAGES[problem]}`);
  const instance = plainToInstance(dto, payload);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const details = flattenValidationErrors(errors);
    throw new BadRequestError(
      `Invalid message: ${[...new Set(details.map((d) => d.field))].join(', ')}`,
      details,
    );
  }
  return instance;
}
