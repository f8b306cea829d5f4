import { Param, ParseUUIDPipe } from '@nestjs/common';
import { BadRequestError } from '../errors/app-errors.js';

/** A path parameter that must be a UUID: anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new BadRequestError(`${name} must be a UUID`, [{ field: name, message: 'must be a UUID' }]),
    }),
  );
