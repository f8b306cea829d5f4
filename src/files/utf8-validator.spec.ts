import { describe, expect, it } from 'vitest';
import { checkUtf8, Utf8Validator } from './utf8-validator.js';

const hex = (value: string) => Buffer.from(value.replace(/\s/g, ''), 'hex');

describe('Utf8Validator', () => {
  it('accepts ASCII, multi-byte and astral text', () => {
    expect(checkUtf8(Buffer.from('plain, ascii\nlines\n'))).toBeUndefined();
    expect(checkUtf8(Buffer.from('été 履歴書 😀 \u{10FFFF}'))).toBeUndefined();
    expect(checkUtf8(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses invalid lead bytes, overlong forms, surrogates and values above U+10FFFF', () => {
    expect(checkUtf8(hex('89 50 4e 47'))).toMatchObject({ offset: 0 }); // a PNG signature
    expect(checkUtf8(hex('c0 af'))).toBeDefined(); // overlong '/'
    expect(checkUtf8(hex('e0 80 af'))).toBeDefined(); // overlong
    expect(checkUtf8(hex('ed a0 80'))).toBeDefined(); // U+D800
    expect(checkUtf8(hex('f4 90 80 80'))).toBeDefined(); // U+110000
    expect(checkUtf8(hex('f5 80 80 80'))).toBeDefined();
    expect(checkUtf8(hex('41 80'))).toMatchObject({ offset: 1 }); // lone continuation
  });

  it('refuses NUL bytes as binary content', () => {
    expect(checkUtf8(Buffer.from('a\u0000b'))?.message).toMatch(/NUL/);
  });

  it('reports the line and offset of the first problem', () => {
    expect(
      checkUtf8(Buffer.concat([Buffer.from('one\ntwo\nthr'), hex('ff'), Buffer.from('ee')])),
    ).toEqual({
      message: expect.stringMatching(/byte 11 \(line 3\)/),
      line: 3,
      offset: 11,
    });
  });

  it('checks sequences split across chunks, and sequences cut off at the end', () => {
    const validator = new Utf8Validator();
    const text = Buffer.from('aé😀');
    for (const byte of text) expect(validator.push(Uint8Array.of(byte))).toBeUndefined();
    expect(validator.end()).toBeUndefined();

    const cut = new Utf8Validator();
    expect(cut.push(hex('41 f0 9f 98'))).toBeUndefined();
    expect(cut.end()).toMatchObject({ offset: 1, message: expect.stringMatching(/truncated/) });
  });

  it('keeps reporting the first problem', () => {
    const validator = new Utf8Validator();
    const first = validator.push(hex('41 ff'));
    expect(validator.push(Buffer.from('more'))).toBe(first);
    expect(validator.end()).toBe(first);
  });
});
