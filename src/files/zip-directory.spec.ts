import { describe, expect, it } from 'vitest';
import {
  isDocxArchive,
  locateCentralDirectory,
  ZIP_TAIL_BYTES,
  zipEntryNames,
} from './zip-directory.js';
import { buildZip } from '../../test/support/file-fixtures.js';

function directoryOf(archive: Buffer): string[] | undefined {
  const tail = archive.subarray(Math.max(0, archive.length - ZIP_TAIL_BYTES));
  const location = locateCentralDirectory(tail, archive.length);
  if (!location) return undefined;
  return zipEntryNames(archive.subarray(location.offset, location.offset + location.size));
}

describe('zip central directory', () => {
  it('lists the entry names of an archive', () => {
    const archive = buildZip(['[Content_Types].xml', 'word/document.xml', '_rels/.rels']);
    expect(directoryOf(archive)).toEqual([
      '[Content_Types].xml',
      'word/document.xml',
      '_rels/.rels',
    ]);
  });

  it('finds the record behind an archive comment', () => {
    const archive = buildZip(['a.txt'], 'a comment of some length');
    expect(directoryOf(archive)).toEqual(['a.txt']);
  });

  it('refuses truncated or inconsistent archives', () => {
    const archive = buildZip(['a.txt']);
    expect(directoryOf(archive.subarray(0, archive.length - 5))).toBeUndefined();
    expect(locateCentralDirectory(Buffer.from('no zip here at all, sorry'), 25)).toBeUndefined();
    expect(zipEntryNames(Buffer.from('garbage'))).toBeUndefined();
  });

  it('tells a word document from another zip', () => {
    expect(isDocxArchive(['[Content_Types].xml', 'word/document.xml'])).toBe(true);
    expect(isDocxArchive(['[Content_Types].xml', 'xl/workbook.xml'])).toBe(false);
    expect(isDocxArchive(['word/document.xml'])).toBe(false);
  });
});
