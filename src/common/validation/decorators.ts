import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  buildMessage,
  IsArray,
  IsInt,
  isISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';

/**
 * Query strings are text and the global pipe converts nothing implicitly: these turn
 * `true|false|1|0` into booleans and `a,b` into lists. Anything else is left as is,
 * so the validators after them answer 400.
 */
export function QueryBoolean() {
  return Transform(({ value }: { value: unknown }) => {
    if (value === 'true' || value === '1' || value === true) return true;
    if (value === 'false' || value === '0' || value === false) return false;
    return value;
  });
}

export function QueryList() {
  return Transform(({ value }: { value: unknown }) => {
    const parts = Array.isArray(value) ? value : typeof value === 'string' ? [value] : undefined;
    if (!parts) return value;
    return parts
      .flatMap((part) => (typeof part === 'string' ? part.split(',') : [part]))
      .map((part) => (typeof part === 'string' ? part.trim() : part))
      .filter((part) => part !== '');
  });
}

/**
 * Optional, but not nullable: absent is fine, `null` is refused like any wrong type
 * (IsOptional would let null through to a NOT NULL column).
 */
export function IsOptionalNotNull() {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** A list of short non-empty strings (tools, capabilities, tags). */
export const StringList = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(500),
    IsString({ each: true }),
    Length(1, 200, { each: true }),
  );

/**
 * An optional integer of a query string within `minimum`…`maximum`, documented with the
 * options given (`default`, `description`): one decorator for the usual stack of six.
 */
export function QueryInt(options: ApiPropertyOptions & { minimum: number; maximum?: number }) {
  return stacked(
    ApiPropertyOptional(options),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(options.minimum),
    ...(options.maximum !== undefined ? [Max(options.maximum)] : []),
  );
}

/**
 * Applies decorators written top to bottom in the order a stack of them runs (bottom
 * first), so that validation errors read as they did when they were stacked.
 */
export function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}

/**
 * An ISO 8601 date and time that JavaScript's `Date` reads. class-validator's strict ISO 8601
 * also passes week and ordinal dates (`2026-W09-1`, `2026-060`), which `new Date` cannot
 * read: every date field is turned into a `Date`, so those are refused here (400), not
 * failed on later. The message is class-validator's own.
 */
export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTime',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          isISO8601(value, { strict: true }) &&
          !Number.isNaN(Date.parse(value)),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a valid ISO 8601 date string`,
          options,
        ),
      },
    },
    options,
  );
}
