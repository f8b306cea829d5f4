import { describe, expect, it } from 'vitest';
import {
  MAX_FILENAME_BYTES,
  sanitizeFilename,
  storableOriginalName,
  truncateUtf8,
} from './filename.js';

describe('sanitizeFilename', () => {
  it('keeps only the last path component, for both separators', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('..\\..\\windows\\win.ini')).toBe('win.ini');
    expect(sanitizeFilename('/abs/path/report.csv')).toBe('report.csv');
  });

  it('removes NUL, other controls and direction overrides', () => {
    expect(sanitizeFilename('a\u0000b.json')).toBe('ab.json');
    expect(sanitizeFilename('line\r\nbreak\t.txt')).toBe('linebreak.txt');
    expect(sanitizeFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFilename('x\u007f\u0085y.md')).toBe('xy.md');
  });

  it('drops leading dots and trailing dots or spaces; dot-only names become empty', () => {
    expect(sanitizeFilename('.bashrc')).toBe('bashrc');
    expect(sanitizeFilename('..')).toBe('');
    expect(sanitizeFilename('...')).toBe('');
    expect(sanitizeFilename('name.txt. . ')).toBe('name.txt');
    expect(sanitizeFilename('')).toBe('');
  });

  it('keeps quotes, spaces and non-ASCII characters (they are escaped where used)', () => {
    expect(sanitizeFilename('say "hi" it\'s.txt')).toBe('say "hi" it\'s.txt');
    expect(sanitizeFilename('résumé 履歴書.pdf')).toBe('résumé 履歴書.pdf');
  });

  it('normalises to NFC', () => {
    expect(sanitizeFilename('e\u0301.txt')).toBe('\u00e9.txt');
  });

  it('caps long names at 255 UTF-8 bytes and keeps the extension', () => {
    const long = `${'a'.repeat(300)}.json`;
    const out = sanitizeFilename(long);
    expect(Buffer.byteLength(out)).toBe(MAX_FILENAME_BYTES);
    expect(out.endsWith('.json')).toBe(true);

    const wide = `${'é'.repeat(300)}.csv`;
    const cut = sanitizeFilename(wide);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(cut.endsWith('.csv')).toBe(true);
    expect(cut).not.toContain('\ufffd');
  });
});

describe('truncateUtf8', () => {
  it('never splits a character, including astral ones', () => {
    expect(truncateUtf8('😀😀', 5)).toBe('😀');
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});

describe('storableOriginalName', () => {
  it('keeps the name as sent except NUL, and caps the length', () => {
    expect(storableOriginalName('../../etc/passwd')).toBe('../../etc/passwd');
    expect(storableOriginalName('a\u0000b.json')).toBe('a\ufffdb.json');
    expect([...storableOriginalName('x'.repeat(5000))]).toHaveLength(1024);
  });
});
