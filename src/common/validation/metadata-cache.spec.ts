import 'reflect-metadata';
import { getMetadataStorage, IsInt, IsString, MaxLength, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { memoizeValidationMetadata } from './metadata-cache.js';

memoizeValidationMetadata();

const failed = (object: object, groups?: string[]) =>
  validateSync(object, { groups, forbidUnknownValues: true }).flatMap((error) =>
    Object.keys(error.constraints ?? {}).map((rule) => `${error.property}:${rule}`),
  );

describe('memoizeValidationMetadata', () => {
  it('answers the same rules again, and rules added later take effect', () => {
    class Line {
      @IsString() message: unknown;
    }
    const line = Object.assign(new Line(), { message: 1, level: 2 });
    expect(failed(line)).toEqual(['message:isString']);
    expect(failed(line)).toEqual(['message:isString']);

    // A subclass declared after its parent was validated: its own rules and the parent's.
    class TimedLine extends Line {
      @IsInt() at: unknown;
    }
    expect(failed(Object.assign(new TimedLine(), { message: 'm', at: 'x' }))).toEqual(['at:isInt']);
    expect(failed(Object.assign(new TimedLine(), { message: 2, at: 3 }))).toEqual([
      'message:isString',
    ]);
    // …and the parent still has only its own.
    expect(failed(Object.assign(new Line(), { message: 'm', at: 'x' }))).toEqual([]);

    // A rule added to a class that was already validated.
    MaxLength(3)(Line.prototype, 'message');
    expect(failed(Object.assign(new Line(), { message: 'long' }))).toEqual(['message:maxLength']);
  });

  it('keeps groups apart', () => {
    class Step {
      @IsString({ groups: ['create'] }) key: unknown;
      @IsInt() order: unknown;
    }
    const step = Object.assign(new Step(), { key: 1, order: 'x' });
    // class-validator's own rules: no groups asked, every rule; a group, only its rules.
    expect(failed(step)).toEqual(['key:isString', 'order:isInt']);
    expect(failed(step, ['create'])).toEqual(['key:isString']);
    expect(failed(step)).toEqual(['key:isString', 'order:isInt']);
  });

  it('wraps the storage once', () => {
    const storage = getMetadataStorage();
    const lookup = storage.getTargetValidationMetadatas;
    memoizeValidationMetadata();
    expect(storage.getTargetValidationMetadatas).toBe(lookup);
  });
});
