import { describe, expect, it } from 'vitest';
import { CsvShapeChecker } from './csv-shape.js';

function check(text: string, chunkSize = text.length || 1): ReturnType<CsvShapeChecker['end']> {
  const checker = new CsvShapeChecker();
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += chunkSize)
    checker.push(bytes.subarray(at, at + chunkSize));
  return checker.end();
}

describe('CsvShapeChecker', () => {
  it('accepts consistent rows, quoted commas and quoted line breaks, with or without CRLF', () => {
    expect(check('a,b,c\n1,2,3\n"x,y","multi\nline",3\n')).toEqual([]);
    expect(check('a,b\r\n1,2\r\n\r\n')).toEqual([]);
    expect(check('a,b\n1,2', 1)).toEqual([]);
  });

  it('reports rows with another field count, with their line', () => {
    expect(check('a,b,c\n1,2\n1,2,3\n1,2,3,4\n')).toEqual([
      { message: 'Row has 2 fields; the header has 3', line: 2 },
      { message: 'Row has 4 fields; the header has 3', line: 4 },
    ]);
  });

  it('reports an unclosed quote and summarises beyond ten rows', () => {
    expect(check('a,b\n"open,1\n')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/not closed/), line: 2 }),
    ]);
    const many = 'a,b\n' + '1\n'.repeat(12);
    const warnings = check(many);
    expect(warnings).toHaveLength(11);
    expect(warnings[10].message).toBe('2 more rows have a different number of fields');
  });
});
