import { ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BadRequestError, FieldError } from '../errors/app-errors.js';
import { memoizeValidationMetadata } from './metadata-cache.js';

/** The key of a list item that has one (a workflow step), so a message can name it. */
function itemKey(error: ValidationError): string | undefined {
  if (!/^\d+$/.test(error.property)) return undefined;
  const key = (error.value as { key?: unknown } | null | undefined)?.key;
  return typeof key === 'string' && key.length <= 100 ? key : undefined;
}

/**
 * Flattens class-validator's tree into `[{field: "steps.0.key", message}]`; a message
 * under a list item with a `key` names it too (`… (step "build")`). Values are never copied.
 */
export function flattenValidationErrors(
  errors: ValidationError[],
  parent = '',
  label = '',
): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const key = itemKey(error);
    const itemLabel = key !== undefined ? ` (step "${key}")` : label;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({
        field,
        message:
          message.replace(/^property (\S+) should not exist$/, 'is not an accepted field') +
          itemLabel,
      });
    }
    if (error.children?.length)
      out.push(...flattenValidationErrors(error.children, field, itemLabel));
  }
  return out;
}

/**
 * A JSON object inside a body (bulk or job `parameters`) validated as its own DTO, as
 * strictly as a body: absent is `{}`, unknown fields are refused. A refusal is a 400
 * whose fields are named under `field` (`parameters.title`); `message` gets their names.
 */
export async function validateNested<T extends object>(
  type: new () => T,
  value: unknown,
  field: string,
  message: (fields: string[]) => string,
): Promise<T> {
  const instance = plainToInstance(type, value ?? {});
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const details = flattenValidationErrors(errors, field);
    throw new BadRequestError(message([...new Set(details.map((d) => d.field))]), details);
  }
  return instance;
}

/** The one strict pipe: unknown fields and wrong types are a 400 with field details. */
export function createValidationPipe(): ValidationPipe {
  memoizeValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // Values only let messages name a step's key; they are never copied into a response.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const fields = [...new Set(details.map((detail) => detail.field))];
      return new BadRequestError(`Invalid input: ${fields.join(', ')}`, details);
    },
  });
}
