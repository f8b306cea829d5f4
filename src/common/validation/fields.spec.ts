import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors/app-errors.js';
import { IsDateTime, IsOptionalNotNull } from './decorators.js';
import {
  DateTimeField,
  EnumField,
  IntField,
  TextField,
  UuidField,
  UuidListField,
} from './fields.js';
import { createValidationPipe } from './validation-pipe.js';

const COLOURS = ['red', 'green'] as const;

/** The stacks the house decorators replace, written out by hand. */
class Stacked {
  @ApiProperty({ minLength: 1, maxLength: 5 })
  @IsString()
  @Length(1, 5)
  name: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 10 })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  note?: string | null;

  @ApiPropertyOptional({ enum: COLOURS, enumName: 'Colour', default: 'red' })
  @IsOptionalNotNull()
  @IsIn(COLOURS)
  colour?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  owner_id?: string | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, type: Number })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(10)
  score?: number;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @IsDateTime()
  due?: string | null;

  @ApiPropertyOptional({ type: [String], format: 'uuid', minItems: 1, maxItems: 2 })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsUUID('all', { each: true })
  ids?: string[];
}

class House {
  @TextField({ min: 1, max: 5 })
  name: string;

  @TextField({ max: 10 }, { nullable: true })
  note?: string | null;

  @EnumField(COLOURS, 'Colour', { optional: true, doc: { default: 'red' } })
  colour?: string;

  @UuidField({ nullable: true })
  owner_id?: string | null;

  @IntField({ min: 1, max: 10 }, { optional: true })
  score?: number;

  @DateTimeField({ nullable: true })
  due?: string | null;

  @UuidListField({ min: 1, max: 2 }, { optional: true })
  ids?: string[];
}

const FIELDS = ['name', 'note', 'colour', 'owner_id', 'score', 'due', 'ids'];

async function answer(metatype: new () => object, body: unknown): Promise<unknown> {
  try {
    return await createValidationPipe().transform(body, { type: 'body', metatype });
  } catch (error) {
    if (error instanceof BadRequestError) return { message: error.message, details: error.details };
    throw error;
  }
}

describe('house field decorators', () => {
  const bodies: Record<string, unknown>[] = [
    { name: 'ok' },
    {},
    { name: 'far too long', note: 7, colour: 'blue', owner_id: 'x', score: 11, due: 'soon' },
    { name: 'ok', note: null, owner_id: null, due: null },
    { name: 'ok', colour: null, score: null },
    { name: 'ok', note: 'x'.repeat(11), score: 2.5, due: '2026-12-07T10:00:00Z' },
    { name: 5, colour: 'green', owner_id: '7b0e3f7c-54d0-4f8e-9a56-0b8e5c3f1d2a', score: 0 },
    { name: 'ok', ids: [] },
    { name: 'ok', ids: ['x', '7b0e3f7c-54d0-4f8e-9a56-0b8e5c3f1d2a', 'y'] },
  ];

  it.each(bodies)('validate %j exactly as the stacks they replace', async (body) => {
    const house = await answer(House, body);
    expect(JSON.stringify(house)).toBe(JSON.stringify(await answer(Stacked, body)));
  });

  it('refuse dates and times that JavaScript cannot read, as any other bad date', async () => {
    for (const due of ['2026-W09-1', '2026-060', '20260301T120000Z', 'soon'])
      expect(await answer(House, { name: 'ok', due })).toEqual({
        message: 'Invalid input: due',
        details: [{ field: 'due', message: 'due must be a valid ISO 8601 date string' }],
      });
    for (const due of ['2026-03-01T12:00:00+02:00', '2026-03-01T12:00:00.123456Z', '2026-03-01'])
      expect(await answer(House, { name: 'ok', due })).toMatchObject({ due });
  });

  it('refuse null for an optional field and accept it for a nullable one', async () => {
    expect(await answer(House, { name: 'ok', colour: null })).toMatchObject({
      details: [{ field: 'colour' }],
    });
    expect(await answer(House, { name: 'ok', note: null })).toMatchObject({ note: null });
  });

  it.each(FIELDS)('document %s as the stack did', (key) => {
    // An explicit `type` adds `isArray: false`, which the document does not show.
    const meta = (type: new () => object) => {
      const { isArray, ...shown } = Reflect.getMetadata(
        'swagger/apiModelProperties',
        type.prototype,
        key,
      ) as { isArray?: boolean };
      return isArray ? { isArray, ...shown } : shown;
    };
    expect(meta(House)).toEqual(meta(Stacked));
  });
});
