import { describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_NODES } from './config-text.js';
import { checkConfigText } from './config-check.js';

const syntax = (text: string, format: 'json' | 'yaml') =>
  checkConfigText({ text, format, schema: 'syntax' });

/** Large documents: correctness only (the time goes to `npm run bench`); a loaded machine is slow. */
const LARGE = { timeout: 60_000 };

describe('configuration texts', () => {
  it('accepts valid JSON and YAML, with or without a byte-order mark', () => {
    expect(syntax('{"a": [1, 2]}', 'json').errors).toEqual([]);
    expect(syntax('\ufeff{"a": 1}', 'json').errors).toEqual([]);
    expect(syntax('a: 1\nb: [x, y]\n', 'yaml').errors).toEqual([]);
  });

  it('reports syntax errors with their line', () => {
    expect(syntax('{\n  "a": 1,\n  oops\n}', 'json').errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^Invalid JSON/), line: 3 }),
    ]);
    expect(syntax('a: 1\nb: [unclosed\n', 'yaml').errors[0]).toMatchObject({
      message: expect.stringMatching(/^Invalid YAML/),
    });
  });

  it('still refuses repeated YAML keys, naming the line of the repeat', () => {
    const result = syntax('a: 1\nb: 2\na: 3\n', 'yaml');
    expect(result.parsed).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('"a" repeats'), line: 3 }),
    ]);
    expect(syntax('a: {x: 1, y: 2}\nb: {x: 1}\n', 'yaml').errors).toEqual([]);
  });

  it('turns an alias bomb into a parse error instead of an exception', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    expect(syntax(bomb, 'yaml').parsed).toBe(false);
  });

  it('refuses documents of more than 100,000 values as too complex', LARGE, () => {
    const list = JSON.stringify(Array.from({ length: MAX_DOCUMENT_NODES + 1 }, () => 1));
    for (const format of ['json', 'yaml'] as const) {
      expect(syntax(list, format).errors).toEqual([
        { message: expect.stringContaining('too complex') },
      ]);
    }
  });

  it(
    'parses 40,000 keys and reports the first unknown ones with their lines (linear, not quadratic)',
    LARGE,
    () => {
      const keys = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, i]));
      const json = JSON.stringify({ model: 'm', ...keys }, null, 1);
      const result = checkConfigText({ text: json, format: 'json', schema: 'configuration' });
      expect(result.errors).toHaveLength(101);
      expect(result.errors[99]).toMatchObject({ path: 'k99', line: 102 });
      expect(result.errors[100]).toEqual({ message: '39900 more issues not shown' });
      const yaml = Object.keys(keys)
        .map((key, i) => `${key}: ${i}`)
        .join('\n');
      expect(syntax(yaml, 'yaml').errors).toEqual([]);
    },
  );
});
