import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequestError, FieldError } from './errors/app-errors.js';

/** Flattens class-validator's tree into `[{field: "steps.0.key", message}]`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({
        field,
        message: message.replace(/^property (\S+) should not exist$/, 'is not an accepted field'),
      });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** The one strict pipe: unknown fields and wrong types are a 400 with field details. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const fields = [...new Set(details.map((detail) => detail.field))];
      return new BadRequestError(`Invalid input: ${fields.join(', ')}`, details);
    },
  });
}
