import { describe, expect, it } from 'vitest';
import { checkMetadataSize, parseMetadata, parseTags } from './upload-fields.js';

describe('upload form fields', () => {
  it('parses comma lists of tags, trimmed and de-duplicated', () => {
    expect(parseTags(' alpha, beta:1 ,alpha,,v1.2_x-y ')).toEqual(['alpha', 'beta:1', 'v1.2_x-y']);
    expect(parseTags('')).toEqual([]);
  });

  it('refuses bad tags and too many tags with a 400 naming the field', () => {
    expect(() => parseTags('ok, not ok')).toThrow(
      expect.objectContaining({
        statusCode: 400,
        details: [expect.objectContaining({ field: 'tags' })],
      }),
    );
    expect(() => parseTags('x'.repeat(51))).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => parseTags(Array.from({ length: 21 }, (_, i) => `t${i}`).join(','))).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
  });

  it('accepts JSON objects only, up to 16 KiB', () => {
    expect(parseMetadata('{"a": {"b": 1}}')).toEqual({ a: { b: 1 } });
    for (const bad of ['[1]', '"text"', 'null', '{broken', '42']) {
      expect(() => parseMetadata(bad), bad).toThrow(expect.objectContaining({ statusCode: 400 }));
    }
    expect(() => parseMetadata(JSON.stringify({ big: 'x'.repeat(17_000) }))).toThrow(
      expect.objectContaining({
        details: [{ field: 'metadata', message: 'must be at most 16384 bytes' }],
      }),
    );
    expect(() => checkMetadataSize({ big: 'x'.repeat(17_000) })).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
  });
});
