import { ValidationError, ValidationPipe } from '@nestjs/common';
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
