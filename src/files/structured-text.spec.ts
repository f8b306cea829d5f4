import { describe, expect, it } from 'vitest';
import { parseProblems, parseStructured } from './structured-text.js';

describe('structured text', () => {
  it('accepts valid JSON and YAML, with or without a byte-order mark', () => {
    expect(parseProblems('{"a": [1, 2]}', 'json')).toEqual([]);
    expect(parseProblems('\ufeff{"a": 1}', 'json')).toEqual([]);
    expect(parseProblems('a: 1\nb: [x, y]\n', 'yaml')).toEqual([]);
  });

  it('reports syntax errors with their line', () => {
    expect(parseProblems('{\n  "a": 1,\n  oops\n}', 'json')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^Invalid JSON/), line: 3 }),
    ]);
    expect(parseProblems('a: 1\nb: [unclosed\n', 'yaml')[0]).toMatchObject({
      message: expect.stringMatching(/^Invalid YAML/),
    });
  });

  it('turns an alias bomb into a parse error instead of an exception', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    const result = parseStructured(bomb, 'yaml');
    expect(result.ok).toBe(false);
  });
});
