import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  IsDateTime,
  IsOptionalNotNull,
  QueryBoolean,
  QueryList,
  stacked,
  StringList,
} from './decorators.js';

/**
 * House field decorators: a field of a body or a query is one decorator that documents
 * it and validates it, instead of a stack of four to six. What the validators imply is
 * documented by them (format, enum, limits, the type of a nullable field); `doc` adds the
 * rest (description, example, default).
 */
export interface FieldOptions {
  /** Absent is fine; `null` is refused (it would reach a NOT NULL column). */
  optional?: boolean;
  /**
   * Absent or `null` is fine; documented as nullable. `null` clears the value, or, where
   * there is nothing to clear (a default, an ignored field), means the same as absent.
   */
  nullable?: boolean;
  doc?: ApiPropertyOptions;
}

function field(
  options: FieldOptions,
  implied: ApiPropertyOptions,
  ...validators: PropertyDecorator[]
): PropertyDecorator {
  if (options.nullable) {
    const doc = { ...implied, nullable: true, ...options.doc } as ApiPropertyOptions;
    return stacked(ApiPropertyOptional(doc), IsOptional(), ...validators);
  }
  const doc = { ...implied, ...options.doc } as ApiPropertyOptions;
  if (!options.optional) return stacked(ApiProperty(doc), ...validators);
  return stacked(ApiPropertyOptional(doc), IsOptionalNotNull(), ...validators);
}

/** A string of `min`…`max` characters (up to `max` alone when `min` is not given). */
export function TextField(length: { min?: number; max: number }, options: FieldOptions = {}) {
  const limit = length.min === undefined ? MaxLength(length.max) : Length(length.min, length.max);
  return field(
    options,
    { type: String, minLength: length.min, maxLength: length.max },
    IsString(),
    limit,
  );
}

export function UuidField(options: FieldOptions = {}) {
  return field(options, { type: String, format: 'uuid' }, IsUUID());
}

/** A list of `min`…`max` UUIDs (up to `max` alone when `min` is not given). */
export function UuidListField(size: { min?: number; max: number }, options: FieldOptions = {}) {
  const atLeast = size.min === undefined ? [] : [ArrayMinSize(size.min)];
  return field(
    options,
    { type: [String], format: 'uuid', minItems: size.min, maxItems: size.max },
    IsArray(),
    ...atLeast,
    ArrayMaxSize(size.max),
    IsUUID('all', { each: true }),
  );
}

/** One of `values`, documented as the named enum. */
export function EnumField(
  values: readonly string[],
  enumName: string,
  options: FieldOptions = {},
): PropertyDecorator {
  const type = options.nullable ? { type: String } : {};
  return field(options, { ...type, enum: values as string[], enumName }, IsIn(values as string[]));
}

/** An ISO 8601 date-time in its strict form (`2026-12-07T10:00:00Z`). */
export function DateTimeField(options: FieldOptions = {}) {
  return field(options, { type: String, format: 'date-time' }, IsDateTime());
}

/** An integer within `min`…`max`. */
export function IntField(range: { min: number; max?: number }, options: FieldOptions = {}) {
  const max = range.max === undefined ? [] : [Max(range.max)];
  return field(
    options,
    { type: Number, minimum: range.min, maximum: range.max },
    IsInt(),
    Min(range.min),
    ...max,
  );
}

/** A finite number within `min`…`max` (either bound may be left open). */
export function NumberField(range: { min?: number; max?: number }, options: FieldOptions = {}) {
  const bounds = [
    ...(range.min === undefined ? [] : [Min(range.min)]),
    ...(range.max === undefined ? [] : [Max(range.max)]),
  ];
  return field(
    options,
    { type: Number, minimum: range.min, maximum: range.max },
    IsNumber({ allowNaN: false, allowInfinity: false }),
    ...bounds,
  );
}

export function BooleanField(options: FieldOptions = {}) {
  return field(options, { type: Boolean }, IsBoolean());
}

/** A JSON object of any keys. */
export function ObjectField(options: FieldOptions = {}) {
  return field(options, { type: 'object', additionalProperties: true }, IsObject());
}

/** A list of short non-empty strings (tools, capabilities, tags). */
export function StringListField(options: FieldOptions = {}) {
  return field(options, { type: [String] }, StringList());
}

/** An optional query parameter: `true|false|1|0`. */
export function QueryFlag(doc?: ApiPropertyOptions) {
  return stacked(
    ApiPropertyOptional({ type: Boolean, ...doc }),
    IsOptional(),
    QueryBoolean(),
    IsBoolean(),
  );
}

/** An optional query parameter: a comma list of up to 100 tags; a row matches any of them. */
export function QueryTags(description: string) {
  return stacked(
    ApiPropertyOptional({ description }),
    IsOptional(),
    QueryList(),
    IsArray(),
    ArrayMaxSize(100),
    IsString({ each: true }),
    MaxLength(200, { each: true }),
  );
}
