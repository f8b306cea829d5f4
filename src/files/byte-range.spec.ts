import { describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.js';

describe('parseByteRange', () => {
  it('serves the whole file without a header', () => {
    expect(parseByteRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(parseByteRange('', 100)).toEqual({ kind: 'full' });
  });

  it('reads closed, open and suffix ranges with an inclusive end', () => {
    expect(parseByteRange('bytes=10-19', 100)).toEqual({ kind: 'partial', start: 10, end: 19 });
    expect(parseByteRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseByteRange('bytes=-5', 100)).toEqual({ kind: 'partial', start: 95, end: 99 });
    expect(parseByteRange('Bytes = 0 - 0', 100)).toEqual({ kind: 'partial', start: 0, end: 0 });
  });

  it('clamps ends and suffixes past the size', () => {
    expect(parseByteRange('bytes=50-1000', 100)).toEqual({ kind: 'partial', start: 50, end: 99 });
    expect(parseByteRange('bytes=-1000', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
  });

  it('calls ranges starting past the end, empty suffixes and ranges of empty files unsatisfiable', () => {
    expect(parseByteRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=200-300', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it may ignore: other units, malformed specs, reversed and multiple ranges', () => {
    for (const header of [
      'items=0-1',
      'bytes=abc',
      'bytes=-',
      'bytes=20-10',
      'bytes=0-1,5-6',
      'bytes 0-1',
    ]) {
      expect(parseByteRange(header, 100), header).toEqual({ kind: 'full' });
    }
  });
});
