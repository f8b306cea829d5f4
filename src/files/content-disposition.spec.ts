import { describe, expect, it } from 'vitest';
import { asciiFallback, contentDisposition } from './content-disposition.js';

/** The header grammar we emit: attachment; filename="<qdtext>"; filename*=UTF-8''<attr-chars|%XX> */
const WELL_FORMED =
  /^attachment; filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+$/;

describe('contentDisposition', () => {
  it('gives plain names unchanged in both forms', () => {
    expect(contentDisposition('report.csv')).toBe(
      `attachment; filename="report.csv"; filename*=UTF-8''report.csv`,
    );
  });

  it('encodes non-ASCII names exactly and folds them for the fallback', () => {
    const header = contentDisposition('résumé 履歴書.pdf');
    expect(header).toMatch(WELL_FORMED);
    expect(header).toContain(`filename="resume ___.pdf"`);
    const encoded = /filename\*=UTF-8''(.*)$/.exec(header)![1];
    expect(decodeURIComponent(encoded)).toBe('résumé 履歴書.pdf');
  });

  it('never lets quotes, backslashes, semicolons or line breaks break the header', () => {
    for (const name of [
      'say "hi".txt',
      'back\\slash.txt',
      'a;b=c.txt',
      "it's (1)*.txt",
      'x\r\nSet-Cookie: y.txt',
      '100%.txt',
    ]) {
      const header = contentDisposition(name);
      expect(header, name).toMatch(WELL_FORMED);
      const encoded = /filename\*=UTF-8''(.*)$/.exec(header)![1];
      expect(decodeURIComponent(encoded)).toBe(name);
    }
  });

  it('names an empty file name "download"', () => {
    expect(contentDisposition('')).toContain('filename="download"');
  });

  it('folds accents and replaces what ASCII cannot say', () => {
    expect(asciiFallback('Ærø café 😀.txt')).toBe('_r_ cafe __.txt');
  });
});
